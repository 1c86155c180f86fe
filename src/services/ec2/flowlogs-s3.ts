// VPC flow logs to Amazon S3: records gather per flow log in 5-minute windows of virtual time (by each
// record's end) and, once a window is over, are published as one gzip text file (a header line of the
// format's field names, then the records) named
// `<prefix>AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/[<hh>/]<account>_vpcflowlogs_<region>_<flow log id>_<yyyymmddThhmm>Z_<hash>.log.gz`
// (Hive-compatible folder names when the flow log asks). Windows are published on a clock advance or
// by a real-time tick; pending windows are kept with the state, so a restart publishes them too.
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { InFlight, type Collection, type Runtime } from '../../kit.js';
import type { Rec } from './store.js';

const WINDOW_MS = 5 * 60_000;
const TICK_MS = 5_000;

interface Window {
  account: string;
  region: string;
  flowLogId: string;
  destination: string;
  /** the first line: the format's field names */
  header: string;
  hive: boolean;
  perHour: boolean;
  start: number;
  lines: string[];
}

const tsKey = (ms: number) => String(Math.max(0, Math.floor(ms))).padStart(15, '0');
const two = (n: number) => String(n).padStart(2, '0');

/** The object key of a window's file (bucket excluded). */
export function fileKey(
  w: Pick<Window, 'account' | 'region' | 'flowLogId' | 'destination' | 'hive' | 'perHour' | 'start'>,
  hash: string,
): string {
  const path = /^arn:aws[a-z-]*:s3:::[^/]+(?:\/(.*))?$/.exec(w.destination)?.[1] ?? '';
  const prefix = path ? path.replace(/\/?$/, '/') : '';
  const d = new Date(w.start);
  const [y, m, day, h] = [String(d.getUTCFullYear()), two(d.getUTCMonth() + 1), two(d.getUTCDate()), two(d.getUTCHours())];
  const folders = w.hive
    ? [
        `aws-account-id=${w.account}`,
        'aws-service=vpcflowlogs',
        `aws-region=${w.region}`,
        `year=${y}`,
        `month=${m}`,
        `day=${day}`,
        ...(w.perHour ? [`hour=${h}`] : []),
      ]
    : [w.account, 'vpcflowlogs', w.region, y, m, day, ...(w.perHour ? [h] : [])];
  const stamp = `${y}${m}${day}T${h}${two(d.getUTCMinutes())}Z`;
  return `${prefix}AWSLogs/${folders.join('/')}/${w.account}_vpcflowlogs_${w.region}_${w.flowLogId}_${stamp}_${hash}.log.gz`;
}

export const flowLogFiles = (rt: Runtime) => rt.shared('ec2/flow-log-files', () => new FlowLogFiles(rt));

export class FlowLogFiles {
  private readonly windows: Collection<Window>;
  private readonly inFlight = new InFlight();

  constructor(private readonly rt: Runtime) {
    this.windows = rt.stores('ec2-flowlogs', (scope) => ({ windows: scope.collection<Window>('s3-windows') })).system().windows;
    rt.clock.onAdvance(() => this.publishDue());
    const timer = setInterval(() => void this.publishDue(), TICK_MS);
    timer.unref();
    rt.onClose(() => clearInterval(timer));
  }

  /** Adds a record line to its flow log's window (by the record's end, virtual ms). */
  add(account: string, region: string, f: Rec, header: string, line: string, endMs: number): void {
    const start = Math.floor(endMs / WINDOW_MS) * WINDOW_MS;
    const key = `${tsKey(start + WINDOW_MS)}|${account}|${region}|${f.FlowLogId}`;
    const w: Window = this.windows.get(key) ?? {
      account,
      region,
      flowLogId: f.FlowLogId,
      destination: f.LogDestination,
      header,
      hive: !!f.DestinationOptions?.HiveCompatiblePartitions,
      perHour: !!f.DestinationOptions?.PerHourPartition,
      start,
      lines: [],
    };
    w.lines.push(line);
    this.windows.put(key, w);
  }

  /** Publishes every window that is over; resolves once their files are written. */
  publishDue(): Promise<void> {
    const due = [...this.windows.scan({ before: tsKey(this.rt.clock.nowMs() + 1) })];
    for (const [key, w] of due) {
      this.windows.delete(key);
      this.inFlight.track(this.publish(w));
    }
    return this.inFlight.settled();
  }

  private async publish(w: Window): Promise<void> {
    const s3 = this.rt.integrations.s3;
    const bucket = /^arn:aws[a-z-]*:s3:::([^/]+)/.exec(w.destination)?.[1];
    if (!s3 || !bucket) return;
    const text = [w.header, ...w.lines].join('\n') + '\n';
    try {
      await s3.putObject(w.account, w.region, bucket, fileKey(w, randomBytes(4).toString('hex')), gzipSync(text));
    } catch (e) {
      this.rt.log.warn(`ec2: flow log ${w.flowLogId} could not publish to s3://${bucket}: ${(e as Error).message}`);
    }
  }
}
