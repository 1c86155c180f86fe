// Amazon EventBridge: buses, rules with event patterns and schedules, targets (SQS, SNS, Lambda,
// another bus, CloudWatch Logs) with their input settings, PutEvents. What other services put on
// the default bus (S3's EventBridge notifications) arrives through rt.integrations.events.
import { randomUUID } from 'node:crypto';
import type { Runtime, ServiceDefinition } from '../../kit.js';
import type { EventsProvider } from '../../generated/events.js';
import { ruleHandlers } from './rules.js';
import { Router, type BusEvent } from './route.js';
import { busName } from './store.js';
import { apiDestinationHandlers } from './apidest.js';

/** Real time between looks at the scheduled rules (virtual time moves with it, and on each advance). */
const TICK_MS = 1000;

function create(rt: Runtime): EventsProvider {
  const router = new Router(rt);
  const tick = () => {
    router.fireDue();
    router.delivery.retryDue();
    router.archives.tick();
  };
  rt.clock.onAdvance(() => {
    tick();
    return router.delivery.inFlight.settled();
  });
  const timer = setInterval(() => {
    try {
      tick();
    } catch (e) {
      rt.log.error(`events schedules: ${(e as Error).stack ?? e}`);
    }
  }, TICK_MS);
  timer.unref();
  rt.onClose(() => clearInterval(timer));
  // retries waiting on the clock, all accounts and regions: what a test waits on before a kill -9
  rt.admin.route('GET /_nimbus/events/retries', () => ({ body: { pending: router.delivery.pending() } }));
  rt.integrations.events = {
    putEvent(account, region, e) {
      // read-only management calls reach only rules that ask for all management events
      const readOnlyTrail =
        e.detailType === 'AWS API Call via CloudTrail' && (e.detail as { readOnly?: boolean } | null)?.readOnly === true;
      if (readOnlyTrail && !router.wantsReadOnlyTrail(account, region)) return;
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': e.detailType,
        source: e.source,
        account,
        time: rt.clock
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        region,
        resources: e.resources ?? [],
        detail: e.detail,
      };
      router.route(account, region, busName(e.eventBusName), event, undefined, false, readOnlyTrail);
    },
  };
  return { ...ruleHandlers(rt), ...router.handlers(), ...router.archives.handlers(), ...apiDestinationHandlers(rt) };
}

export const events: ServiceDefinition = { name: 'events', create };
