// Amazon EventBridge Scheduler: schedule groups and schedules (at, rate and cron expressions in IANA
// time zones, flexible windows, start and end dates, ActionAfterCompletion), fired on the virtual
// clock into SQS, SNS, Lambda, EventBridge and universal targets, with retries and a dead-letter queue.
import type { SchedulerProvider } from '../../generated/scheduler.js';
import type { Runtime, ServiceDefinition } from '../../kit.js';
import { scheduleHandlers } from './schedules.js';
import { Firer } from './fire.js';

/** Real time between looks at the due index (virtual time moves with it, and on each advance). */
const TICK_MS = 1000;

function create(rt: Runtime): SchedulerProvider {
  const firer = new Firer(rt);
  const tick = () => {
    try {
      firer.fireDue();
    } catch (e) {
      rt.log.error(`scheduler: ${(e as Error).stack ?? e}`);
    }
  };
  rt.clock.onAdvance(() => {
    tick();
    return firer.inFlight.settled();
  });
  const timer = setInterval(tick, TICK_MS);
  timer.unref();
  rt.onClose(() => clearInterval(timer));
  return scheduleHandlers(rt);
}

export const scheduler: ServiceDefinition = { name: 'scheduler', create };
