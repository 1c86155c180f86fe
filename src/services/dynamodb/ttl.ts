// Time to live: items whose TTL attribute (epoch seconds) has passed are deleted by the service,
// on the virtual clock, appearing in the table's stream as service deletions. Tables with TTL on
// are listed in one registry so a clock advance finds them in every account and region.
import type { Runtime } from '../../runtime.js';
import type { Collection } from '../../state/engine.js';
import { dynamoStores, type TableMeta } from './store.js';

const FIVE_YEARS_S = 5 * 365 * 24 * 3600;

export class TtlSweeper {
  private readonly registry: Collection<{ account: string; region: string; table: string }>;

  constructor(private readonly rt: Runtime) {
    // a registry across every account and region: the system scope
    this.registry = rt
      .stores('dynamodb', (scope) => scope)
      .system()
      .collection('ttl-tables');
    rt.clock.onAdvance(() => this.sweepAll());
  }

  private readonly lastSweep = new Map<string, number>();

  /** The lazy check: a table with TTL on is swept when read, at most once a minute of virtual time. */
  sweepIfDue(account: string, region: string, t: TableMeta): void {
    if (!t.ttl?.enabled) return;
    const id = `${account}/${region}/${t.name}`;
    const now = this.rt.clock.nowMs();
    if ((this.lastSweep.get(id) ?? 0) > now - 60_000) return;
    this.lastSweep.set(id, now);
    this.sweep(account, region, t);
  }

  track(account: string, region: string, t: TableMeta): void {
    const id = `${account}/${region}/${t.name}`;
    if (t.ttl?.enabled) this.registry.put(id, { account, region, table: t.name });
    else this.registry.delete(id);
  }

  sweepAll(): void {
    for (const [id, { account, region, table }] of [...this.registry.scan()]) {
      const store = dynamoStores(this.rt).get(account, region);
      const t = store.tables.get(table);
      if (!t?.ttl?.enabled) {
        this.registry.delete(id);
        continue;
      }
      this.sweep(account, region, t);
    }
  }

  /** Deletes the table's expired items (values more than five years old are ignored, as AWS does). */
  sweep(account: string, region: string, t: TableMeta): void {
    const store = dynamoStores(this.rt).get(account, region);
    const now = Math.floor(this.rt.clock.nowMs() / 1000);
    const attr = t.ttl!.attribute;
    this.rt.engine.transaction(() => {
      const expired = [...store.items(t).scan()].filter(([, item]) => {
        const at = Number(item[attr]?.N ?? NaN);
        return at <= now && at > now - FIVE_YEARS_S;
      });
      // written after reading: SQLite refuses writes while a scan is open
      for (const [key, item] of expired) store.write(t, key, item, undefined, { service: true });
      // the clock timeline (GET /_nimbus/clock/events): each deletion, with the item's key
      for (const [, item] of expired) {
        const itemKey = Object.fromEntries(t.keySchema.map((k) => [k.AttributeName, item[k.AttributeName]]));
        this.rt.timeline.record({
          service: 'dynamodb',
          kind: 'ttl-delete',
          resource: t.arn,
          account,
          region,
          detail: { table: t.name, key: itemKey },
        });
      }
    });
  }
}
