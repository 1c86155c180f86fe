// Auto Scaling state, per account and region: launch configurations, groups, their instances,
// activities, lifecycle hooks and scaling policies. Instances are EC2's; a group's record of them
// carries its own lifecycle state (Pending, Pending:Wait, InService, Terminating:Wait).
import { ServiceError, type Collection, type RequestContext, type Runtime } from '../../kit.js';
import type {
  LaunchConfiguration,
  LaunchTemplateSpecification,
  StepAdjustment,
  TargetTrackingConfiguration,
} from '../../generated/autoscaling.js';

export interface GroupRecord {
  name: string;
  arn: string;
  lc?: string;
  lt?: LaunchTemplateSpecification;
  min: number;
  max: number;
  desired: number;
  cooldown: number;
  zones: string[];
  subnets: { id: string; zone: string }[];
  vpcZoneIdentifier?: string;
  targetGroups: string[];
  healthCheckType: string;
  grace: number;
  created: number;
  tags: { Key: string; Value: string; PropagateAtLaunch: boolean }[];
  terminationPolicies: string[];
  protect: boolean;
  /** why the desired capacity last changed, for the activities it causes */
  cause?: string;
}

export interface InstanceRecord {
  id: string;
  group: string;
  zone: string;
  state: string;
  health: 'Healthy' | 'Unhealthy';
  type?: string;
  imageId?: string;
  lc?: string;
  lt?: LaunchTemplateSpecification;
  launched: number;
  protected: boolean;
  /** a lifecycle action being waited for: its hook, token, and when its heartbeat runs out */
  wait?: { hook: string; token: string; due: number; result: string };
}

export interface ActivityRecord {
  id: string;
  group: string;
  description: string;
  cause: string;
  start: number;
  end: number;
  status: 'Successful' | 'Failed' | 'InProgress';
  message?: string;
}

export interface HookRecord {
  group: string;
  name: string;
  transition: string;
  heartbeat: number;
  defaultResult: string;
  metadata?: string;
  target?: string;
  role?: string;
}

export interface PolicyRecord {
  group: string;
  name: string;
  arn: string;
  type: string;
  adjustmentType?: string;
  adjustment?: number;
  minMagnitude?: number;
  cooldown?: number;
  steps?: StepAdjustment[];
  aggregation?: string;
  targetTracking?: TargetTrackingConfiguration;
  warmup?: number;
  enabled: boolean;
  /** a target tracking policy's CloudWatch alarms */
  alarms?: { AlarmName: string; AlarmARN: string }[];
  /** the policy's last change of the desired capacity (its cooldown or warmup runs from `at`) */
  last?: { at: number; from: number; to: number };
}

export interface AsgStore {
  lcs: Collection<LaunchConfiguration>;
  groups: Collection<GroupRecord>;
  instances: Collection<InstanceRecord>;
  activities: Collection<ActivityRecord>;
  hooks: Collection<HookRecord>;
  policies: Collection<PolicyRecord>;
}

export class AsgState {
  private stores;
  constructor(readonly rt: Runtime) {
    this.stores = rt.stores<AsgStore>('autoscaling', (scope) => ({
      lcs: scope.collection('lcs'),
      groups: scope.collection('groups'),
      instances: scope.collection('instances'),
      activities: scope.collection('activities'),
      hooks: scope.collection('hooks'),
      policies: scope.collection('policies'),
    }));
  }
  store(ctx: { account: string; region: string }): AsgStore {
    return this.stores.get(ctx.account, ctx.region);
  }
  arn(ctx: { account: string; region: string }, rest: string): string {
    return `arn:aws:autoscaling:${ctx.region}:${ctx.account}:${rest}`;
  }
  invoke<O = Record<string, unknown>>(
    ctx: { account: string; region: string },
    service: string,
    op: string,
    input: Record<string, unknown>,
  ): Promise<O> {
    return this.rt.invoke<O>(service, op, input, { account: ctx.account, region: ctx.region });
  }
  group(ctx: RequestContext, name: string | undefined): GroupRecord {
    const g = name ? this.store(ctx).groups.get(name) : undefined;
    if (!g) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
    return g;
  }
  members(ctx: { account: string; region: string }, group: string): InstanceRecord[] {
    return [...this.store(ctx).instances.scan()].map(([, v]) => v).filter((i) => i.group === group);
  }
  all<T>(c: Collection<T>): T[] {
    return [...c.scan()].map(([, v]) => v);
  }
}

export const validation = (message: string) => new ServiceError('ValidationError', message, 400);
export const alreadyExists = (message: string) => new ServiceError('AlreadyExists', message, 400);
export const inUse = (message: string) => new ServiceError('ResourceInUse', message, 400);
export const tsKey = (ts: number) => String(Math.max(0, Math.floor(ts))).padStart(15, '0');
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** NextToken/MaxRecords paging over a list (the token is the next index). */
export function page<T>(items: T[], token?: string, max?: number, limit = 100): { items: T[]; next?: string } {
  if (max !== undefined && (max < 1 || max > limit)) throw validation(`MaxRecords must be between 1 and ${limit}`);
  const start = token ? Number.parseInt(token, 10) : 0;
  if (!Number.isFinite(start) || start < 0) throw validation('The NextToken is not valid');
  const end = start + (max ?? 50);
  return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}
