// Trails: their configuration and status, kept for all accounts in the system scope (the recorder
// checks every call against the logging trails, so they are held in memory too).
import type { AdvancedEventSelector, EventSelector, Tag, Trail } from '../../generated/cloudtrail.js';
import { ServiceError, type Collection, type Runtime } from '../../kit.js';
import { wantsData } from './selectors.js';

export interface TrailRecord {
  name: string;
  account: string;
  homeRegion: string;
  bucket: string;
  prefix?: string;
  snsTopicName?: string;
  multiRegion: boolean;
  includeGlobal: boolean;
  validation: boolean;
  kmsKeyId?: string;
  logGroupArn?: string;
  roleArn?: string;
  logging: boolean;
  startedAt?: number;
  stoppedAt?: number;
  deliveredAt?: number;
  deliveryError?: string;
  selectors?: EventSelector[];
  advanced?: AdvancedEventSelector[];
  tags: Tag[];
  created: number;
}

export class Trails {
  private readonly all: Collection<TrailRecord>;
  private readonly cache = new Map<string, TrailRecord>();
  /** true when some logging trail takes data events */
  dataWanted = false;

  constructor(rt: Runtime) {
    this.all = rt.stores('cloudtrail', (s) => s.collection<TrailRecord>('trails')).system();
    for (const [k, t] of this.all.scan({})) this.cache.set(k, t);
    this.refresh();
  }

  arn(t: { account: string; homeRegion: string; name: string }): string {
    return `arn:aws:cloudtrail:${t.homeRegion}:${t.account}:trail/${t.name}`;
  }

  private refresh(): void {
    this.dataWanted = [...this.cache.values()].some((t) => t.logging && wantsData(t.selectors, t.advanced));
  }

  save(t: TrailRecord): void {
    this.all.put(`${t.account}/${t.name}`, t);
    this.cache.set(`${t.account}/${t.name}`, t);
    this.refresh();
  }

  remove(t: TrailRecord): void {
    this.all.delete(`${t.account}/${t.name}`);
    this.cache.delete(`${t.account}/${t.name}`);
    this.refresh();
  }

  peek(account: string, name: string): TrailRecord | undefined {
    return this.cache.get(`${account}/${name}`);
  }

  /** A trail by name or ARN (TrailNotFoundException otherwise). */
  get(account: string, region: string, ref: string): TrailRecord {
    const m = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/.exec(ref);
    const t = m ? this.cache.get(`${m[2]}/${m[3]}`) : this.cache.get(`${account}/${ref}`);
    if (!t || (!m && !t.multiRegion && t.homeRegion !== region)) {
      const arn = m ? ref : `arn:aws:cloudtrail:${region}:${account}:trail/${ref}`;
      throw new ServiceError('TrailNotFoundException', `Unknown trail: ${arn} for the user: ${account}`);
    }
    return t;
  }

  /** an account's trails visible from a region (its own and multi-Region trails) */
  list(account: string, region: string): TrailRecord[] {
    return [...this.cache.values()]
      .filter((t) => t.account === account && (t.homeRegion === region || t.multiRegion))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** logging trails that take events from this account and region */
  logging(account: string, region: string): TrailRecord[] {
    const out: TrailRecord[] = [];
    for (const t of this.cache.values()) if (t.logging && t.account === account && (t.multiRegion || t.homeRegion === region)) out.push(t);
    return out;
  }

  describe(t: TrailRecord): Trail {
    return {
      Name: t.name,
      S3BucketName: t.bucket,
      ...(t.prefix ? { S3KeyPrefix: t.prefix } : {}),
      ...(t.snsTopicName
        ? { SnsTopicName: t.snsTopicName, SnsTopicARN: `arn:aws:sns:${t.homeRegion}:${t.account}:${t.snsTopicName}` }
        : {}),
      IncludeGlobalServiceEvents: t.includeGlobal,
      IsMultiRegionTrail: t.multiRegion,
      HomeRegion: t.homeRegion,
      TrailARN: this.arn(t),
      LogFileValidationEnabled: t.validation,
      ...(t.kmsKeyId ? { KmsKeyId: t.kmsKeyId } : {}),
      ...(t.logGroupArn ? { CloudWatchLogsLogGroupArn: t.logGroupArn, CloudWatchLogsRoleArn: t.roleArn } : {}),
      HasCustomEventSelectors: !!(t.selectors || t.advanced),
      HasInsightSelectors: false,
      IsOrganizationTrail: false,
    };
  }
}
