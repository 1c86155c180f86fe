// Auto Scaling groups: create (launch template or configuration, subnets or zones, target groups),
// describe, update, delete, desired capacity; the group's instances and its activity history.
import { ServiceError, type RequestContext } from '../../kit.js';
import type { AutoscalingProvider, AutoScalingGroup, LaunchTemplateSpecification, Instance } from '../../generated/autoscaling.js';
import { AsgState, alreadyExists, inUse, iso, page, validation, type GroupRecord, type InstanceRecord } from './store.js';
import { Capacity } from './capacity.js';
import { dropPolicies } from './policies.js';

const instanceView = (i: InstanceRecord): Instance => ({
  InstanceId: i.id,
  InstanceType: i.type,
  AvailabilityZone: i.zone,
  LifecycleState: i.state as Instance['LifecycleState'],
  HealthStatus: i.health,
  LaunchConfigurationName: i.lc,
  LaunchTemplate: i.lt,
  ProtectedFromScaleIn: i.protected,
});

export function groupView(s: AsgState, ctx: RequestContext, g: GroupRecord): AutoScalingGroup {
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    LaunchConfigurationName: g.lc,
    LaunchTemplate: g.lt,
    MinSize: g.min,
    MaxSize: g.max,
    DesiredCapacity: g.desired,
    DefaultCooldown: g.cooldown,
    AvailabilityZones: g.zones,
    LoadBalancerNames: [],
    TargetGroupARNs: g.targetGroups,
    HealthCheckType: g.healthCheckType,
    HealthCheckGracePeriod: g.grace,
    Instances: s.members(ctx, g.name).map(instanceView),
    CreatedTime: new Date(g.created),
    SuspendedProcesses: [],
    VPCZoneIdentifier: g.vpcZoneIdentifier,
    EnabledMetrics: [],
    TerminationPolicies: g.terminationPolicies,
    NewInstancesProtectedFromScaleIn: g.protect,
    Tags: g.tags.map((t) => ({
      ResourceId: g.name,
      ResourceType: 'auto-scaling-group',
      Key: t.Key,
      Value: t.Value,
      PropagateAtLaunch: t.PropagateAtLaunch,
    })),
    ServiceLinkedRoleARN: `arn:aws:iam::${ctx.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
  };
}

function sizes(min: number, max: number, desired: number): void {
  if (min < 0) throw validation('MinSize must be at least 0');
  if (max < min) throw validation(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired < min || desired > max)
    throw validation(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
}

export function groupHandlers(s: AsgState, cap: Capacity): Partial<AutoscalingProvider> {
  async function template(ctx: RequestContext, lt: LaunchTemplateSpecification): Promise<LaunchTemplateSpecification> {
    if (!lt.LaunchTemplateId && !lt.LaunchTemplateName)
      throw validation('You must specify either the launch template ID or the launch template name in the request');
    if (lt.LaunchTemplateId && lt.LaunchTemplateName)
      throw validation('You must specify either the launch template ID or the launch template name in the request, but not both');
    try {
      const out = await s.invoke<{ LaunchTemplates?: { LaunchTemplateId: string; LaunchTemplateName: string }[] }>(
        ctx,
        'ec2',
        'DescribeLaunchTemplates',
        lt.LaunchTemplateId ? { LaunchTemplateIds: [lt.LaunchTemplateId] } : { LaunchTemplateNames: [lt.LaunchTemplateName] },
      );
      const t = out.LaunchTemplates![0];
      return { LaunchTemplateId: t.LaunchTemplateId, LaunchTemplateName: t.LaunchTemplateName, Version: lt.Version ?? '$Default' };
    } catch (e) {
      if (e instanceof ServiceError) throw validation(`You must use a valid fully-formed launch template. ${e.message}`);
      throw e;
    }
  }

  async function placement(ctx: RequestContext, vpcZoneIdentifier?: string, zones?: string[]): Promise<{ id: string; zone: string }[]> {
    type Sub = { SubnetId: string; AvailabilityZone: string };
    if (vpcZoneIdentifier) {
      const ids = vpcZoneIdentifier
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      try {
        const out = await s.invoke<{ Subnets?: Sub[] }>(ctx, 'ec2', 'DescribeSubnets', { SubnetIds: ids });
        return (out.Subnets ?? []).map((x) => ({ id: x.SubnetId, zone: x.AvailabilityZone }));
      } catch (e) {
        if (e instanceof ServiceError) throw validation(`The subnet ID '${ids.join(',')}' does not exist`);
        throw e;
      }
    }
    if (!zones?.length) throw validation('At least one Availability Zone or VPC Subnet is required.');
    const out = await s.invoke<{ Subnets?: Sub[] }>(ctx, 'ec2', 'DescribeSubnets', {
      Filters: [
        { Name: 'default-for-az', Values: ['true'] },
        { Name: 'availability-zone', Values: zones },
      ],
    });
    const found = (out.Subnets ?? []).map((x) => ({ id: x.SubnetId, zone: x.AvailabilityZone }));
    const missing = zones.filter((z) => !found.some((f) => f.zone === z));
    if (missing.length) throw validation(`Invalid Availability Zone(s): ${missing.join(', ')}`);
    return found;
  }

  async function targetGroups(ctx: RequestContext, arns: string[]): Promise<string[]> {
    if (!arns.length) return [];
    try {
      await s.invoke(ctx, 'elbv2', 'DescribeTargetGroups', { TargetGroupArns: arns });
    } catch (e) {
      if (e instanceof ServiceError) throw validation('Provided Target Groups may not be valid. Please ensure they exist and try again.');
      throw e;
    }
    return arns;
  }

  const settleAll = (ctx: RequestContext) => cap.locked(ctx, () => cap.settle(ctx));

  return {
    CreateAutoScalingGroup: (input, ctx) =>
      cap.locked(ctx, async () => {
        const name = input.AutoScalingGroupName;
        if (!name || name.length > 255) throw validation('AutoScalingGroupName must be between 1 and 255 characters');
        const store = s.store(ctx);
        if (store.groups.has(name))
          throw alreadyExists(`AutoScalingGroup by this name already exists - A group with the name ${name} already exists`);
        const sources = [input.LaunchConfigurationName, input.LaunchTemplate, input.MixedInstancesPolicy, input.InstanceId].filter(
          (x) => x !== undefined,
        ).length;
        if (sources !== 1)
          throw validation(
            'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
          );
        if (input.MixedInstancesPolicy || input.InstanceId)
          throw validation('Nimbus serves groups with a launch template or a launch configuration');
        if (input.LaunchConfigurationName && !store.lcs.has(input.LaunchConfigurationName))
          throw validation(`Launch configuration name not found - Launch configuration ${input.LaunchConfigurationName} not found`);
        const lt = input.LaunchTemplate ? await template(ctx, input.LaunchTemplate) : undefined;
        const desired = input.DesiredCapacity ?? input.MinSize;
        sizes(input.MinSize, input.MaxSize, desired);
        const subnets = await placement(ctx, input.VPCZoneIdentifier, input.AvailabilityZones);
        const tgs = await targetGroups(ctx, input.TargetGroupARNs ?? []);
        const hc = input.HealthCheckType ?? 'EC2';
        if (!['EC2', 'ELB', 'VPC_LATTICE', 'EBS'].some((t) => hc.split(',').includes(t)))
          throw validation(`Invalid health check type: ${hc}`);
        const now = ctx.clock.now().getTime();
        const g: GroupRecord = {
          name,
          arn: s.arn(ctx, `autoScalingGroup:${crypto.randomUUID()}:autoScalingGroupName/${name}`),
          lc: input.LaunchConfigurationName,
          lt,
          min: input.MinSize,
          max: input.MaxSize,
          desired,
          cooldown: input.DefaultCooldown ?? 300,
          zones: [...new Set(subnets.map((x) => x.zone))].sort(),
          subnets,
          vpcZoneIdentifier: input.VPCZoneIdentifier ?? subnets.map((x) => x.id).join(','),
          targetGroups: tgs,
          healthCheckType: hc,
          grace: input.HealthCheckGracePeriod ?? 0,
          created: now,
          tags: (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '', PropagateAtLaunch: t.PropagateAtLaunch ?? false })),
          terminationPolicies: input.TerminationPolicies ?? ['Default'],
          protect: input.NewInstancesProtectedFromScaleIn ?? false,
          cause: `At ${iso(now)} a user request created an AutoScalingGroup changing the desired capacity from 0 to ${desired}.`,
        };
        store.groups.put(name, g);
        for (const h of input.LifecycleHookSpecificationList ?? []) {
          store.hooks.put(`${name}\u0000${h.LifecycleHookName}`, {
            group: name,
            name: h.LifecycleHookName,
            transition: h.LifecycleTransition,
            heartbeat: h.HeartbeatTimeout ?? 3600,
            defaultResult: h.DefaultResult ?? 'ABANDON',
            metadata: h.NotificationMetadata,
            target: h.NotificationTargetARN,
            role: h.RoleARN,
          });
        }
        await cap.reconcile(ctx, g);
        return undefined;
      }),

    DescribeAutoScalingGroups: async (input, ctx) => {
      await settleAll(ctx);
      const store = s.store(ctx);
      let groups = s.all(store.groups).sort((a, b) => a.name.localeCompare(b.name));
      if (input.AutoScalingGroupNames?.length) groups = groups.filter((g) => input.AutoScalingGroupNames!.includes(g.name));
      for (const f of input.Filters ?? []) {
        const values = f.Values ?? [];
        if (f.Name === 'tag-key') groups = groups.filter((g) => g.tags.some((t) => values.includes(t.Key)));
        else if (f.Name === 'tag-value') groups = groups.filter((g) => g.tags.some((t) => values.includes(t.Value)));
        else if (f.Name?.startsWith('tag:'))
          groups = groups.filter((g) => g.tags.some((t) => t.Key === f.Name!.slice(4) && values.includes(t.Value)));
        else throw validation(`Filter name ${f.Name} is not valid`);
      }
      const { items, next } = page(groups, input.NextToken, input.MaxRecords);
      return { AutoScalingGroups: items.map((g) => groupView(s, ctx, g)), NextToken: next };
    },

    UpdateAutoScalingGroup: (input, ctx) =>
      cap.locked(ctx, async () => {
        const g = s.group(ctx, input.AutoScalingGroupName);
        const min = input.MinSize ?? g.min;
        const max = input.MaxSize ?? g.max;
        let desired = input.DesiredCapacity ?? g.desired;
        if (input.DesiredCapacity === undefined) desired = Math.min(Math.max(desired, min), max);
        sizes(min, max, desired);
        if (input.LaunchTemplate) {
          g.lt = await template(ctx, input.LaunchTemplate);
          g.lc = undefined;
        }
        if (input.LaunchConfigurationName) {
          if (!s.store(ctx).lcs.has(input.LaunchConfigurationName))
            throw validation(`Launch configuration name not found - Launch configuration ${input.LaunchConfigurationName} not found`);
          g.lc = input.LaunchConfigurationName;
          g.lt = undefined;
        }
        if (input.VPCZoneIdentifier || input.AvailabilityZones) {
          g.subnets = await placement(ctx, input.VPCZoneIdentifier, input.AvailabilityZones);
          g.zones = [...new Set(g.subnets.map((x) => x.zone))].sort();
          g.vpcZoneIdentifier = input.VPCZoneIdentifier ?? g.subnets.map((x) => x.id).join(',');
        }
        if (input.HealthCheckType) g.healthCheckType = input.HealthCheckType;
        if (input.HealthCheckGracePeriod !== undefined) g.grace = input.HealthCheckGracePeriod;
        if (input.DefaultCooldown !== undefined) g.cooldown = input.DefaultCooldown;
        if (input.NewInstancesProtectedFromScaleIn !== undefined) g.protect = input.NewInstancesProtectedFromScaleIn;
        if (input.TerminationPolicies) g.terminationPolicies = input.TerminationPolicies;
        if (desired !== g.desired)
          g.cause = `At ${iso(ctx.clock.now().getTime())} a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${g.desired} to ${desired}.`;
        Object.assign(g, { min, max, desired });
        s.store(ctx).groups.put(g.name, g);
        await cap.settle(ctx, g.name);
        return undefined;
      }),

    SetDesiredCapacity: (input, ctx) =>
      cap.locked(ctx, async () => {
        const g = s.group(ctx, input.AutoScalingGroupName);
        const d = input.DesiredCapacity;
        if (d > g.max) throw validation(`New SetDesiredCapacity value ${d} is above max value ${g.max} for the AutoScalingGroup.`);
        if (d < g.min) throw validation(`New SetDesiredCapacity value ${d} is below min value ${g.min} for the AutoScalingGroup.`);
        if (d !== g.desired) {
          g.cause = `At ${iso(ctx.clock.now().getTime())} a user request explicitly set group desired capacity changing the desired capacity from ${g.desired} to ${d}.`;
          g.desired = d;
          s.store(ctx).groups.put(g.name, g);
        }
        await cap.settle(ctx, g.name);
        return undefined;
      }),

    DeleteAutoScalingGroup: (input, ctx) =>
      cap.locked(ctx, async () => {
        const g = s.group(ctx, input.AutoScalingGroupName);
        const store = s.store(ctx);
        const members = s.members(ctx, g.name);
        if (members.length && !input.ForceDelete)
          throw inUse(
            'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.',
          );
        for (const m of members)
          await cap.terminate(ctx, g, m, `At ${iso(ctx.clock.now().getTime())} a user request deleted the AutoScalingGroup.`, false);
        for (const h of s.all(store.hooks).filter((x) => x.group === g.name)) store.hooks.delete(`${g.name}\u0000${h.name}`);
        await dropPolicies(s, ctx, g.name);
        store.activities.clear(`${g.name}\u0000`);
        store.groups.delete(g.name);
        return undefined;
      }),

    DescribeAutoScalingInstances: async (input, ctx) => {
      await settleAll(ctx);
      let all = s.all(s.store(ctx).instances).sort((a, b) => a.id.localeCompare(b.id));
      if (input.InstanceIds?.length) all = all.filter((i) => input.InstanceIds!.includes(i.id));
      const { items, next } = page(all, input.NextToken, input.MaxRecords, 50);
      return {
        AutoScalingInstances: items.map((i) => ({ ...instanceView(i), AutoScalingGroupName: i.group, LifecycleState: i.state })),
        NextToken: next,
      };
    },

    DescribeScalingActivities: async (input, ctx) => {
      await settleAll(ctx);
      const store = s.store(ctx);
      if (input.AutoScalingGroupName) s.group(ctx, input.AutoScalingGroupName);
      let acts = s
        .all(store.activities)
        .filter((a) => !input.AutoScalingGroupName || a.group === input.AutoScalingGroupName)
        .reverse();
      if (input.ActivityIds?.length) acts = acts.filter((a) => input.ActivityIds!.includes(a.id));
      const { items, next } = page(acts, input.NextToken, input.MaxRecords);
      return {
        Activities: items.map((a) => ({
          ActivityId: a.id,
          AutoScalingGroupName: a.group,
          Description: a.description,
          Cause: a.cause,
          StartTime: new Date(a.start),
          EndTime: new Date(a.end),
          StatusCode: a.status,
          StatusMessage: a.message,
          Progress: 100,
          Details: JSON.stringify({ 'Subnet ID': '', 'Availability Zone': '' }),
          AutoScalingGroupARN: store.groups.get(a.group)?.arn,
        })),
        NextToken: next,
      };
    },

    TerminateInstanceInAutoScalingGroup: (input, ctx) =>
      cap.locked(ctx, async () => {
        const store = s.store(ctx);
        const rec = store.instances.get(input.InstanceId);
        if (!rec) throw validation(`Instance Id not found - No managed instance found for instance ID: ${input.InstanceId}`);
        const g = s.group(ctx, rec.group);
        const now = ctx.clock.now().getTime();
        if (input.ShouldDecrementDesiredCapacity) {
          if (g.desired - 1 < g.min)
            throw validation(
              `Currently, desiredSize equals minSize (${g.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
            );
          g.desired -= 1;
          store.groups.put(g.name, g);
        }
        await cap.terminate(
          ctx,
          g,
          rec,
          `At ${iso(now)} instance ${rec.id} was taken out of service in response to a user request${input.ShouldDecrementDesiredCapacity ? ', shrinking the capacity' : ''}.`,
        );
        await cap.reconcile(ctx, g);
        return { Activity: undefined };
      }),
  };
}
