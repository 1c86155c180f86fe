// AWS/SQS's standard metrics, published through CloudWatch's integration (which aggregates per minute):
// counters as they happen, and the queue gauges (visible, not visible, delayed, age of the oldest
// message) sampled once per virtual minute for the queues that had activity or still hold messages.
import type { Queue } from './queue.js';
import type { SqsState } from './store.js';

/** how often (real time) the gauges are looked at without a clock advance */
const TICK_MS = 5_000;
/** per state: the queues whose gauges are sampled, by ARN */
const active = new WeakMap<SqsState, Map<string, Queue>>();

export function queueMetric(
  s: SqsState,
  q: Queue,
  name: 'NumberOfMessagesSent' | 'NumberOfMessagesReceived' | 'NumberOfMessagesDeleted' | 'SentMessageSize',
  value: number,
  unit = 'Count',
): void {
  s.rt.integrations.cloudwatch?.putMetricData(q.rec.account, q.rec.region, 'AWS/SQS', [
    { MetricName: name, Dimensions: [{ Name: 'QueueName', Value: q.rec.name }], Value: value, Unit: unit },
  ]);
  active.get(s)?.set(`${q.rec.account}|${q.rec.region}|${q.rec.name}`, q);
}

/** Samples the gauges of active queues when the virtual minute changes (clock advance or a real-time tick). */
export function startQueueGauges(s: SqsState): void {
  const queues = new Map<string, Queue>();
  active.set(s, queues);
  let minute = Math.floor(s.rt.clock.nowMs() / 60_000);
  const sample = () => {
    const now = s.rt.clock.nowMs();
    if (Math.floor(now / 60_000) === minute || !queues.size) return;
    minute = Math.floor(now / 60_000);
    const cw = s.rt.integrations.cloudwatch;
    for (const [key, q] of queues) {
      if (q.deleted) {
        queues.delete(key);
        continue;
      }
      const c = q.counts(now);
      const dims = [{ Name: 'QueueName', Value: q.rec.name }];
      cw?.putMetricData(q.rec.account, q.rec.region, 'AWS/SQS', [
        { MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: dims, Value: c.visible, Unit: 'Count', Timestamp: now },
        { MetricName: 'ApproximateNumberOfMessagesNotVisible', Dimensions: dims, Value: c.inFlight, Unit: 'Count', Timestamp: now },
        { MetricName: 'ApproximateNumberOfMessagesDelayed', Dimensions: dims, Value: c.delayed, Unit: 'Count', Timestamp: now },
        {
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: dims,
          Value: c.oldestSentMs === undefined ? 0 : Math.max(0, Math.floor((now - c.oldestSentMs) / 1000)),
          Unit: 'Seconds',
          Timestamp: now,
        },
      ]);
      // an empty queue is sampled this once more (its zeros), then only again after new activity
      if (c.oldestSentMs === undefined) queues.delete(key);
    }
  };
  s.rt.clock.onAdvance(sample);
  const timer = setInterval(sample, TICK_MS);
  timer.unref();
  s.rt.onClose(() => clearInterval(timer));
}
