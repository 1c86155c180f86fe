// X-Ray keeps traces for 30 days: as the virtual clock advances, traces whose id time is older are
// dropped. The accounts and regions that hold traces are noted in the system scope, and each one's
// time index is read only up to the cut-off.
import type { Runtime } from '../../kit.js';
import type { UnprocessedTraceSegment } from '../../generated/xray.js';
import { timeKey, xrayStores } from './store.js';
import { ingest } from './traces.js';

export const RETENTION_MS = 30 * 86_400_000;
const BATCH = 1000;

/** Stores segments for an account and region (noting the scope for retention); what was refused. */
export type Put = (account: string, region: string, documents: string[]) => UnprocessedTraceSegment[];

export function retention(rt: Runtime): { put: Put; sweep(): number } {
  const stores = xrayStores(rt);
  const scopes = rt.stores('xray', (scope) => scope.collection<true>('scopes')).system();
  const known = new Set<string>();
  const put: Put = (account, region, documents) => {
    const key = `${account}|${region}`;
    if (!known.has(key)) {
      scopes.put(key, true);
      known.add(key);
    }
    return ingest(stores.get(account, region), documents);
  };
  /** Drops the traces past retention; how many. */
  const sweep = () => {
    const cutoff = timeKey(rt.clock.nowMs() - RETENTION_MS, '');
    let dropped = 0;
    for (const [key] of [...scopes.scan({})]) {
      const [account, region] = key.split('|');
      const store = stores.get(account, region);
      for (;;) {
        const old = [...store.byTime.scan({ before: cutoff, limit: BATCH })];
        for (const [k, id] of old) {
          store.byTime.delete(k);
          store.traces.delete(id);
        }
        dropped += old.length;
        if (old.length < BATCH) break;
      }
    }
    return dropped;
  };
  return { put, sweep };
}
