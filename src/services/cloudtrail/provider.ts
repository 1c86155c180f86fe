// AWS CloudTrail: every AWS call Nimbus answers becomes an event. Management events fill the
// 90-day event history (LookupEvents); trails deliver the events they select to S3 as log files.
import type { CallRecord, Runtime, ServiceDefinition } from '../../kit.js';
import type { CloudtrailProvider } from '../../generated/cloudtrail.js';
import { History } from './history.js';
import { Trails } from './trails.js';
import { Delivery } from './delivery.js';
import { trailHandlers } from './trail-handlers.js';
import { isDataEvent } from './classify.js';

const FLUSH_EVERY_MS = 5 * 60_000;

function create(rt: Runtime): CloudtrailProvider {
  const history = rt.shared('cloudtrail/history', () => new History(rt));
  const trails = rt.shared('cloudtrail/trails', () => new Trails(rt));
  const delivery = rt.shared('cloudtrail/delivery', () => new Delivery(rt, trails));
  history.sinks.push((call, event, record) => delivery.offer(call, event, record));
  // calls reach EventBridge's default bus as "AWS API Call via CloudTrail" (not PutEvents itself); read-only
  // ones only rules in the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS receive, as EventBridge decides
  history.sinks.push((call, event, record) => {
    if (call.service === 'events' && call.operation === 'PutEvents') return;
    try {
      rt.integrations.events?.putEvent(call.account, call.region, {
        source: `aws.${event.source.split('.')[0]}`,
        detailType: 'AWS API Call via CloudTrail',
        detail: record,
      });
    } catch (e) {
      rt.log.warn(`cloudtrail: event for EventBridge refused: ${(e as Error).message}`);
    }
  });

  // cheap on the request path: data events nobody selected are dropped before any work
  rt.pipeline.onRecord((call: CallRecord) => {
    if (!trails.dataWanted && isDataEvent(call.service, call.operation)) return;
    history.add(call);
  });

  const flush = () => {
    history.flush();
    return delivery.flush();
  };
  const background = () => flush().catch((e) => rt.log.debug(`cloudtrail: delivery: ${(e as Error).message}`));
  rt.clock.onAdvance(background);
  rt.onClose(() => history.flush()); // what the last batch window holds is kept
  setInterval(() => void background(), FLUSH_EVERY_MS).unref();
  rt.admin.route('POST /_nimbus/cloudtrail/flush', async () => {
    await flush();
    return { body: { flushed: true } };
  });

  return {
    LookupEvents: (input, ctx) => history.lookup(ctx.account, ctx.region, input),
    ...trailHandlers(rt, trails),
  };
}

export const cloudtrail: ServiceDefinition = { name: 'cloudtrail', create };
