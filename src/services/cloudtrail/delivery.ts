// Delivery of a trail's events to its S3 bucket: gzip JSON files {"Records": […]} under AWS's key
// layout, written through rt.integrations.s3 when the virtual clock advances, every few minutes of
// real time, or when asked (POST /_nimbus/cloudtrail/flush).
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { CallRecord, Runtime } from '../../kit.js';
import type { Trails, TrailRecord } from './trails.js';
import type { StoredEvent } from './record.js';
import { selects } from './selectors.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const two = (n: number) => String(n).padStart(2, '0');

/** `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<random>.json.gz` */
export function logKey(prefix: string | undefined, account: string, region: string, at: Date): string {
  const [y, m, d] = [at.getUTCFullYear(), two(at.getUTCMonth() + 1), two(at.getUTCDate())];
  const stamp = `${y}${m}${d}T${two(at.getUTCHours())}${two(at.getUTCMinutes())}Z`;
  const random = Array.from(randomBytes(16), (b) => ALNUM[b % ALNUM.length]).join('');
  return `${prefix ? prefix.replace(/\/$/, '') + '/' : ''}AWSLogs/${account}/CloudTrail/${region}/${y}/${m}/${d}/${account}_CloudTrail_${region}_${stamp}_${random}.json.gz`;
}

export class Delivery {
  /** trail key → region → records waiting */
  private readonly buffers = new Map<string, Map<string, Record<string, unknown>[]>>();
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly rt: Runtime,
    private readonly trails: Trails,
  ) {}

  /** Takes an event for every logging trail whose selectors choose it. */
  offer(call: CallRecord, event: StoredEvent, record: Record<string, unknown>): void {
    const candidate = {
      management: record.managementEvent as boolean,
      readOnly: event.readOnly,
      source: event.source,
      name: event.name,
      resources: event.resources,
    };
    for (const t of this.trails.logging(call.account, call.region)) {
      if (!selects(t.selectors, t.advanced, candidate)) continue;
      const key = `${t.account}/${t.name}`;
      let byRegion = this.buffers.get(key);
      if (!byRegion) this.buffers.set(key, (byRegion = new Map()));
      const list = byRegion.get(call.region) ?? [];
      list.push(record);
      byRegion.set(call.region, list);
    }
  }

  /** Writes every waiting batch; resolves when written (deliveries run one after another). */
  flush(): Promise<void> {
    this.running = this.running.then(() => this.deliver());
    return this.running;
  }

  private async deliver(): Promise<void> {
    const s3 = this.rt.integrations.s3;
    const batches = [...this.buffers];
    this.buffers.clear();
    for (const [key, byRegion] of batches) {
      const [account, name] = [key.slice(0, 12), key.slice(13)];
      const t: TrailRecord | undefined = this.trails.peek(account, name);
      if (!t) continue;
      for (const [region, records] of byRegion) {
        const now = this.rt.clock.now();
        try {
          if (!s3) throw new Error('S3 is not served');
          const body = gzipSync(JSON.stringify({ Records: records }));
          await s3.putObject(t.account, t.homeRegion, t.bucket, logKey(t.prefix, t.account, region, now), body, 'application/json');
          t.deliveredAt = now.getTime();
          delete t.deliveryError;
        } catch (e) {
          t.deliveryError = (e as { code?: string }).code ?? (e as Error).message;
          this.rt.log.warn(`cloudtrail: delivery to ${t.bucket} for trail ${t.name}: ${t.deliveryError}`);
        }
        this.trails.save(t);
      }
    }
  }
}
