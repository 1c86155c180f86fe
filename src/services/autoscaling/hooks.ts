// Lifecycle hooks: a launching or terminating instance waits (Pending:Wait, Terminating:Wait) until
// CompleteLifecycleAction, or until its heartbeat timeout runs out on the virtual clock and the
// hook's default result applies. RecordLifecycleActionHeartbeat restarts the timeout.
import type { RequestContext } from '../../kit.js';
import type { AutoscalingProvider } from '../../generated/autoscaling.js';
import { AsgState, validation, type InstanceRecord } from './store.js';
import { Capacity } from './capacity.js';

const TRANSITIONS = ['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING'];

export function hookHandlers(s: AsgState, cap: Capacity): Partial<AutoscalingProvider> {
  const key = (group: string, name: string) => `${group}\u0000${name}`;

  function waiting(ctx: RequestContext, group: string, hookName: string, token?: string, instanceId?: string): InstanceRecord {
    if (!s.store(ctx).hooks.has(key(group, hookName))) throw validation(`No Lifecycle Hook found with name ${hookName} for group ${group}`);
    if (!token && !instanceId) throw validation('Either LifecycleActionToken or InstanceId must be provided.');
    const rec = s
      .members(ctx, group)
      .find((i) => i.wait && i.wait.hook === hookName && (token ? i.wait.token === token : i.id === instanceId));
    if (!rec) throw validation(`No active Lifecycle Action found with ${token ? `token ${token}` : `instance ID ${instanceId}`}`);
    return rec;
  }

  return {
    PutLifecycleHook: async (input, ctx) => {
      const g = s.group(ctx, input.AutoScalingGroupName);
      const store = s.store(ctx);
      const prev = store.hooks.get(key(g.name, input.LifecycleHookName));
      const transition = input.LifecycleTransition ?? prev?.transition;
      if (!transition) throw validation('A lifecycle transition must be specified when creating a lifecycle hook');
      if (!TRANSITIONS.includes(transition)) throw validation(`Invalid Lifecycle Transition: ${transition}`);
      const heartbeat = input.HeartbeatTimeout ?? prev?.heartbeat ?? 3600;
      if (heartbeat < 30 || heartbeat > 7200) throw validation(`Heartbeat timeout must be between 30 and 7200 seconds`);
      const result = input.DefaultResult ?? prev?.defaultResult ?? 'ABANDON';
      if (result !== 'CONTINUE' && result !== 'ABANDON') throw validation(`Invalid default result: ${result}`);
      if (!prev && s.all(store.hooks).filter((h) => h.group === g.name).length >= 50)
        throw validation('The quota of 50 lifecycle hooks per group has been reached');
      store.hooks.put(key(g.name, input.LifecycleHookName), {
        group: g.name,
        name: input.LifecycleHookName,
        transition,
        heartbeat,
        defaultResult: result,
        metadata: input.NotificationMetadata ?? prev?.metadata,
        target: input.NotificationTargetARN ?? prev?.target,
        role: input.RoleARN ?? prev?.role,
      });
      return {};
    },

    DescribeLifecycleHooks: (input, ctx) => {
      const g = s.group(ctx, input.AutoScalingGroupName);
      const hooks = s
        .all(s.store(ctx).hooks)
        .filter((h) => h.group === g.name && (!input.LifecycleHookNames?.length || input.LifecycleHookNames.includes(h.name)));
      return {
        LifecycleHooks: hooks.map((h) => ({
          LifecycleHookName: h.name,
          AutoScalingGroupName: h.group,
          LifecycleTransition: h.transition,
          NotificationTargetARN: h.target,
          RoleARN: h.role,
          NotificationMetadata: h.metadata,
          HeartbeatTimeout: h.heartbeat,
          GlobalTimeout: Math.min(h.heartbeat * 100, 172800),
          DefaultResult: h.defaultResult,
        })),
      };
    },

    DeleteLifecycleHook: (input, ctx) => {
      const g = s.group(ctx, input.AutoScalingGroupName);
      if (!s.store(ctx).hooks.delete(key(g.name, input.LifecycleHookName)))
        throw validation(`No Lifecycle Hook found with name ${input.LifecycleHookName} for group ${g.name}`);
      return {};
    },

    CompleteLifecycleAction: (input, ctx) =>
      cap.locked(ctx, async () => {
        const g = s.group(ctx, input.AutoScalingGroupName);
        if (input.LifecycleActionResult !== 'CONTINUE' && input.LifecycleActionResult !== 'ABANDON')
          throw validation(`Invalid lifecycle action result: ${input.LifecycleActionResult}`);
        const rec = waiting(ctx, g.name, input.LifecycleHookName, input.LifecycleActionToken, input.InstanceId);
        await cap.resolve(ctx, g, rec, input.LifecycleActionResult);
        await cap.settle(ctx, g.name);
        return {};
      }),

    RecordLifecycleActionHeartbeat: (input, ctx) => {
      const g = s.group(ctx, input.AutoScalingGroupName);
      const rec = waiting(ctx, g.name, input.LifecycleHookName, input.LifecycleActionToken, input.InstanceId);
      const hook = s.store(ctx).hooks.get(key(g.name, input.LifecycleHookName))!;
      s.store(ctx).instances.put(rec.id, { ...rec, wait: { ...rec.wait!, due: ctx.clock.now().getTime() + hook.heartbeat * 1000 } });
      return {};
    },
  };
}
