// Retention on the virtual clock: reads already start at a group's cutoff; when the clock moves,
// the events that fell out of retention are deleted (a range delete from the start of the group's
// time index, and the matching keys of the stream index).
import type { Runtime } from '../../kit.js';
import { SEP, tsKey, type LogsStore } from './store.js';
import { cutoff, groupArn } from './common.js';

export function purgeExpired(rt: Runtime, store: LogsStore, now: number): void {
  for (const [, g] of [...store.groups.scan()]) {
    if (!g.retentionInDays) continue;
    const before = tsKey(cutoff(g, now));
    const byTime = store.byTime(g);
    const byStream = store.byStream(g);
    const gone = [...byTime.scan({ before, limit: 100_000 })];
    if (!gone.length) continue;
    rt.engine.transaction(() => {
      let bytes = 0;
      for (const [key, e] of gone) {
        byTime.delete(key);
        byStream.delete(e.s + SEP + key);
        bytes += Buffer.byteLength(e.m) + 26;
      }
      const fresh = store.groups.get(g.name);
      if (fresh) store.groups.put(g.name, { ...fresh, storedBytes: Math.max(0, fresh.storedBytes - bytes) });
    });
    const { account, region } = store.scope;
    rt.timeline.record({
      service: 'logs',
      kind: 'retention-delete',
      resource: groupArn(region, account, g.name),
      account,
      region,
      detail: { logGroupName: g.name, retentionInDays: g.retentionInDays, events: gone.length },
    });
  }
}
