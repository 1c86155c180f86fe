// The capacity engine: brings a group's instances to its desired capacity through EC2's own
// handlers (RunInstances, TerminateInstances), registers them with the group's target groups,
// moves them Pending → InService when EC2 reports them running, holds them in Pending:Wait or
// Terminating:Wait while a lifecycle hook waits (until CompleteLifecycleAction or the heartbeat
// runs out on the virtual clock), and replaces instances EC2 no longer runs. Each step is an activity.
import { randomUUID } from 'node:crypto';
import { ServiceError, type RequestContext } from '../../kit.js';
import { AsgState, iso, tsKey, type GroupRecord, type InstanceRecord } from './store.js';

type Where = { account: string; region: string; clock: RequestContext['clock'] };
interface Ec2Instance {
  InstanceId: string;
  InstanceType?: string;
  ImageId?: string;
  State?: { Name?: string };
  Placement?: { AvailabilityZone?: string };
}

export class Capacity {
  constructor(private s: AsgState) {}

  private now(w: Where): number {
    return w.clock.now().getTime();
  }

  activity(
    w: Where,
    group: string,
    description: string,
    cause: string,
    status: 'Successful' | 'Failed' | 'InProgress' = 'Successful',
    message?: string,
  ): void {
    const start = this.now(w);
    const id = randomUUID();
    this.s
      .store(w)
      .activities.put(`${group}\u0000${tsKey(start)}\u0000${id}`, { id, group, description, cause, start, end: start, status, message });
  }

  /** Serialises the settling of one account and region (handlers and clock advances may overlap). */
  locked<T>(w: Where, fn: () => Promise<T>): Promise<T> {
    const locks = this.s.rt.shared('autoscaling/locks', () => new Map<string, Promise<unknown>>());
    const key = `${w.account}/${w.region}`;
    const run = (locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    locks.set(key, run);
    return run;
  }

  private async ec2States(w: Where, ids: string[]): Promise<Map<string, Ec2Instance>> {
    const out = new Map<string, Ec2Instance>();
    if (!ids.length) return out;
    const res = await this.s.invoke<{ Reservations?: { Instances?: Ec2Instance[] }[] }>(w, 'ec2', 'DescribeInstances', {
      Filters: [{ Name: 'instance-id', Values: ids }],
    });
    for (const r of res.Reservations ?? []) for (const i of r.Instances ?? []) out.set(i.InstanceId, i);
    return out;
  }

  private hook(w: Where, group: string, transition: string) {
    return this.s.all(this.s.store(w).hooks).find((h) => h.group === group && h.transition === transition);
  }

  private async register(w: Where, g: GroupRecord, id: string, op: 'RegisterTargets' | 'DeregisterTargets'): Promise<void> {
    for (const tg of g.targetGroups) {
      try {
        await this.s.invoke(w, 'elbv2', op, { TargetGroupArn: tg, Targets: [{ Id: id }] });
      } catch (e) {
        if (!(e instanceof ServiceError)) throw e;
      }
    }
  }

  private async launchOne(w: Where, g: GroupRecord, cause: string): Promise<boolean> {
    const store = this.s.store(w);
    const members = this.s.members(w, g.name);
    // the zone with the fewest instances gets the next one
    const subnet = [...g.subnets].sort(
      (a, b) => members.filter((m) => m.zone === a.zone).length - members.filter((m) => m.zone === b.zone).length,
    )[0];
    const tags = [...g.tags.filter((t) => t.PropagateAtLaunch).map((t) => ({ Key: t.Key, Value: t.Value }))];
    const input: Record<string, unknown> = {
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnet?.id,
      TagSpecifications: tags.length ? [{ ResourceType: 'instance', Tags: tags }] : undefined,
    };
    if (g.lt) {
      input.LaunchTemplate = {
        LaunchTemplateId: g.lt.LaunchTemplateId,
        LaunchTemplateName: g.lt.LaunchTemplateId ? undefined : g.lt.LaunchTemplateName,
        Version: g.lt.Version ?? '$Default',
      };
    } else {
      const lc = g.lc ? store.lcs.get(g.lc) : undefined;
      if (!lc) {
        this.activity(
          w,
          g.name,
          'Launching a new EC2 instance.  Status Reason: The launch configuration does not exist.',
          cause,
          'Failed',
          'The launch configuration does not exist.',
        );
        return false;
      }
      Object.assign(input, {
        ImageId: lc.ImageId,
        InstanceType: lc.InstanceType,
        KeyName: lc.KeyName,
        UserData: lc.UserData,
        SecurityGroupIds: lc.SecurityGroups?.length ? lc.SecurityGroups : undefined,
      });
    }
    let inst: Ec2Instance;
    try {
      const out = await this.s.invoke<{ Instances?: Ec2Instance[] }>(w, 'ec2', 'RunInstances', input);
      inst = out.Instances![0];
      this.s.rt.integrations.ec2?.systemTags(w.account, w.region, inst.InstanceId, [{ Key: 'aws:autoscaling:groupName', Value: g.name }]);
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      this.activity(
        w,
        g.name,
        `Launching a new EC2 instance.  Status Reason: ${e.message}. Launching EC2 instance failed.`,
        cause,
        'Failed',
        `${e.message}. Launching EC2 instance failed.`,
      );
      return false;
    }
    const hook = this.hook(w, g.name, 'autoscaling:EC2_INSTANCE_LAUNCHING');
    const rec: InstanceRecord = {
      id: inst.InstanceId,
      group: g.name,
      zone: inst.Placement?.AvailabilityZone ?? subnet?.zone ?? '',
      state: hook ? 'Pending:Wait' : 'Pending',
      health: 'Healthy',
      type: inst.InstanceType,
      imageId: inst.ImageId,
      lc: g.lt ? undefined : g.lc,
      lt: g.lt,
      launched: this.now(w),
      protected: g.protect,
      wait: hook
        ? { hook: hook.name, token: randomUUID(), due: this.now(w) + hook.heartbeat * 1000, result: hook.defaultResult }
        : undefined,
    };
    store.instances.put(rec.id, rec);
    if (!hook) await this.register(w, g, rec.id, 'RegisterTargets');
    this.activity(w, g.name, `Launching a new EC2 instance: ${rec.id}`, cause);
    return true;
  }

  /** Starts terminating an instance (through a terminating hook when the group has one). */
  async terminate(w: Where, g: GroupRecord, rec: InstanceRecord, cause: string, useHooks = true): Promise<void> {
    const store = this.s.store(w);
    await this.register(w, g, rec.id, 'DeregisterTargets');
    const hook = useHooks ? this.hook(w, g.name, 'autoscaling:EC2_INSTANCE_TERMINATING') : undefined;
    if (hook) {
      store.instances.put(rec.id, {
        ...rec,
        state: 'Terminating:Wait',
        wait: { hook: hook.name, token: randomUUID(), due: this.now(w) + hook.heartbeat * 1000, result: hook.defaultResult },
      });
      return;
    }
    await this.finish(w, g.name, rec, cause);
  }

  private async finish(w: Where, group: string, rec: InstanceRecord, cause: string): Promise<void> {
    try {
      await this.s.invoke(w, 'ec2', 'TerminateInstances', { InstanceIds: [rec.id] });
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
    }
    this.s.store(w).instances.delete(rec.id);
    this.activity(w, group, `Terminating EC2 instance: ${rec.id}`, cause);
  }

  /** The outcome of a lifecycle action: CONTINUE or ABANDON. */
  async resolve(w: Where, g: GroupRecord, rec: InstanceRecord, result: string): Promise<void> {
    const store = this.s.store(w);
    if (rec.state === 'Pending:Wait') {
      if (result === 'CONTINUE') {
        store.instances.put(rec.id, { ...rec, state: 'Pending:Proceed', wait: undefined });
        await this.register(w, g, rec.id, 'RegisterTargets');
      } else {
        await this.finish(
          w,
          g.name,
          rec,
          `At ${iso(this.now(w))} an instance was taken out of service because its launch lifecycle action was abandoned.`,
        );
      }
    } else if (rec.state === 'Terminating:Wait') {
      await this.finish(w, g.name, rec, `At ${iso(this.now(w))} the terminating lifecycle action of instance ${rec.id} completed.`);
    }
  }

  /** Applies what became due and brings every group of the scope (or one) to its desired capacity. */
  async settle(w: Where, only?: string): Promise<void> {
    const store = this.s.store(w);
    const groups = only ? [store.groups.get(only)].filter((g): g is GroupRecord => !!g) : this.s.all(store.groups);
    for (const g of groups) {
      const now = this.now(w);
      for (const rec of this.s.members(w, g.name)) if (rec.wait && rec.wait.due <= now) await this.resolve(w, g, rec, rec.wait.result);
      const members = this.s.members(w, g.name);
      const ec2 = await this.ec2States(
        w,
        members.map((m) => m.id),
      );
      for (const rec of members) {
        const state = ec2.get(rec.id)?.State?.Name ?? 'terminated';
        if ((rec.state === 'Pending' || rec.state === 'Pending:Proceed') && state === 'running')
          store.instances.put(rec.id, { ...rec, state: 'InService' });
        else if (!rec.state.startsWith('Terminating') && state !== 'running' && state !== 'pending') {
          // EC2 no longer runs it: the group marks it unhealthy and replaces it
          store.instances.delete(rec.id);
          await this.register(w, g, rec.id, 'DeregisterTargets');
          this.activity(
            w,
            g.name,
            `Terminating EC2 instance: ${rec.id}`,
            `At ${iso(now)} an instance was taken out of service in response to an EC2 instance status check failure.`,
          );
        }
      }
      await this.replaceUnhealthyTargets(w, g);
      await this.reconcile(w, g);
    }
  }

  /** With HealthCheckType ELB, an InService instance past its grace period that a target group finds unhealthy is replaced. */
  private async replaceUnhealthyTargets(w: Where, g: GroupRecord): Promise<void> {
    if (!g.healthCheckType.split(',').includes('ELB') || !g.targetGroups.length) return;
    const now = this.now(w);
    const candidates = this.s.members(w, g.name).filter((m) => m.state === 'InService' && now >= m.launched + g.grace * 1000);
    if (!candidates.length) return;
    const unhealthy = new Set<string>();
    for (const tg of g.targetGroups) {
      try {
        const out = await this.s.invoke<{ TargetHealthDescriptions?: { Target?: { Id?: string }; TargetHealth?: { State?: string } }[] }>(
          w,
          'elbv2',
          'DescribeTargetHealth',
          { TargetGroupArn: tg },
        );
        for (const d of out.TargetHealthDescriptions ?? [])
          if (d.TargetHealth?.State === 'unhealthy' && d.Target?.Id) unhealthy.add(d.Target.Id);
      } catch (e) {
        if (!(e instanceof ServiceError)) throw e;
      }
    }
    for (const rec of candidates.filter((m) => unhealthy.has(m.id))) {
      this.s.store(w).instances.put(rec.id, { ...rec, health: 'Unhealthy' });
      await this.terminate(
        w,
        g,
        { ...rec, health: 'Unhealthy' },
        `At ${iso(now)} an instance was taken out of service in response to an ELB system health check failure.`,
      );
    }
  }

  /** Launches or terminates instances until the group's count matches its desired capacity. */
  async reconcile(w: Where, g: GroupRecord): Promise<void> {
    const live = () => this.s.members(w, g.name).filter((m) => !m.state.startsWith('Terminating'));
    // AWS's wording for a launch that replaces a missing instance (an unhealthy one taken out, say)
    const cause =
      g.cause ??
      `At ${iso(this.now(w))} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${live().length} to ${g.desired}.`;
    let guard = 0;
    while (live().length < g.desired && guard++ < 1000) {
      if (!(await this.launchOne(w, g, cause))) break;
    }
    const extra = live().length - g.desired;
    if (extra > 0) {
      for (const rec of this.pickForTermination(live(), extra))
        await this.terminate(
          w,
          g,
          rec,
          g.cause ??
            `At ${iso(this.now(w))} an instance was taken out of service in response to a difference between desired and actual capacity.`,
        );
    }
    const fresh = this.s.store(w).groups.get(g.name);
    if (fresh?.cause) this.s.store(w).groups.put(g.name, { ...fresh, cause: undefined });
  }

  /** Default termination policy: unprotected instances, from the zone with the most, newest launched first. */
  private pickForTermination(members: InstanceRecord[], n: number): InstanceRecord[] {
    const pool = members.filter((m) => !m.protected);
    const out: InstanceRecord[] = [];
    while (out.length < n && pool.length) {
      const count = (z: string) => pool.filter((m) => m.zone === z).length;
      const zone = [...new Set(pool.map((m) => m.zone))].sort((a, b) => count(b) - count(a) || a.localeCompare(b))[0];
      const pick = pool.filter((m) => m.zone === zone).sort((a, b) => b.launched - a.launched || b.id.localeCompare(a.id))[0];
      out.push(pick);
      pool.splice(pool.indexOf(pick), 1);
    }
    return out;
  }
}
