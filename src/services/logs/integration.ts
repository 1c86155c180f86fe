// What Logs offers other services: append events to a stream (Lambda's function logs), creating
// the group and the stream when missing (events are sorted; AWS's age limits still apply); read a
// group's events over a time range (CloudWatch Contributor Insights).
import type { Runtime, Stores, Integrations } from '../../kit.js';
import { tsKey, type LogsStore } from './store.js';
import { newGroup } from './groups.js';
import { checkBatch, ingest, type IngestListener } from './events.js';

export function logsIntegration(rt: Runtime, stores: Stores<LogsStore>, onIngest: IngestListener): NonNullable<Integrations['logs']> {
  return {
    readEvents(account, region, groupName, start, end) {
      const store = stores.get(account, region);
      const g = store.groups.get(groupName);
      if (!g) return undefined;
      return [...store.byTime(g).scan({ from: tsKey(start), before: tsKey(end) })].map(([k, e]) => ({
        timestamp: Number(k.slice(0, 15)),
        message: e.m,
      }));
    },
    putLogEvents(account, region, groupName, stream, events) {
      if (!events.length) return;
      const store = stores.get(account, region);
      const now = rt.clock.nowMs();
      let g = store.groups.get(groupName);
      if (!g) {
        g = newGroup(groupName, now);
        store.groups.put(groupName, g);
      }
      const streams = store.streams(g);
      if (!streams.has(stream)) streams.put(stream, { name: stream, created: now, storedBytes: 0 });
      const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
      // what one PutLogEvents call could not take (a day's span, 10,000 events, 1 MB) goes in pieces
      for (let i = 0; i < sorted.length;) {
        let j = i;
        let bytes = 0;
        while (j < sorted.length && j - i < 10_000 && sorted[j].timestamp - sorted[i].timestamp <= 86_400_000) {
          bytes += Buffer.byteLength(sorted[j].message) + 26;
          if (bytes > 1_048_576 && j > i) break;
          j++;
        }
        const { accepted } = checkBatch(g, sorted.slice(i, j), now);
        const stored = ingest(rt, store, g, stream, accepted, now);
        if (stored.length) onIngest({ account, region }, g, stream, stored);
        i = j;
      }
    },
  };
}
