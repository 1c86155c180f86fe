// Listeners (a port and protocol on a load balancer, default actions) and their rules (priority,
// conditions, actions). Each listener answers a default rule in DescribeRules.
import { ServiceError, type RequestContext } from '../../kit.js';
import type { Elbv2Provider, Listener, Rule } from '../../generated/elbv2.js';
import { ElbState, hexId, kind, page, tagsOf, validation, type ListenerRecord, type RuleRecord, type LbRecord } from './store.js';
import { actionTargetGroups, checkActions, checkConditions } from './actions.js';
import { lbArnsOf } from './target-groups.js';
import { listenerPorts } from './listener-ports.js';

const ALB_PROTOCOLS = ['HTTP', 'HTTPS'];
const NLB_PROTOCOLS = ['TCP', 'TLS', 'UDP', 'TCP_UDP'];

const listenerView = (l: ListenerRecord): Listener => ({
  ListenerArn: l.arn,
  LoadBalancerArn: l.lbArn,
  Port: l.port,
  Protocol: l.protocol as Listener['Protocol'],
  DefaultActions: l.defaultActions,
  Certificates: l.certificates,
  SslPolicy: l.sslPolicy,
  AlpnPolicy: l.alpn,
});
const ruleView = (r: RuleRecord): Rule => ({
  RuleArn: r.arn,
  Priority: String(r.priority),
  Conditions: r.conditions,
  Actions: r.actions,
  IsDefault: false,
});
const defaultRule = (l: ListenerRecord): Rule => ({
  RuleArn: l.arn.replace(':listener/', ':listener-rule/') + '/default',
  Priority: 'default',
  Conditions: [],
  Actions: l.defaultActions,
  IsDefault: true,
});

export function listenerHandlers(s: ElbState): Partial<Elbv2Provider> {
  /** a forward target must exist, suit the load balancer's type, and serve no other load balancer */
  const tgCheck = (ctx: RequestContext, lb: LbRecord) => (arn: string) => {
    const tg = s.tg(ctx, arn);
    const httpTg = tg.protocol === 'HTTP' || tg.protocol === 'HTTPS' || tg.targetType === 'lambda';
    if (lb.type === 'application' && !httpTg)
      throw validation(
        `The target group '${arn}' has protocol '${tg.protocol}' which is not supported by load balancers of type 'application'`,
      );
    if (lb.type === 'network' && httpTg)
      throw validation(
        `The target group '${arn}' has protocol '${tg.protocol}' which is not supported by load balancers of type 'network'`,
      );
    if (tg.vpcId && tg.vpcId !== lb.vpcId)
      throw validation(`The target group '${arn}' is in VPC '${tg.vpcId}', not in the load balancer's VPC '${lb.vpcId}'`);
    const others = lbArnsOf(s, ctx, arn).filter((a) => a !== lb.arn);
    if (others.length)
      throw new ServiceError(
        'TargetGroupAssociationLimit',
        `The following target groups cannot be associated with more than one load balancer: '${arn}'`,
        400,
      );
  };
  const checkProtocol = (lb: LbRecord, protocol: string | undefined, certificates: unknown[] | undefined) => {
    const allowed = lb.type === 'application' ? ALB_PROTOCOLS : lb.type === 'network' ? NLB_PROTOCOLS : ['GENEVE'];
    const p = protocol ?? (lb.type === 'application' ? 'HTTP' : lb.type === 'network' ? 'TCP' : 'GENEVE');
    if (!allowed.includes(p)) throw validation(`Listener protocol '${p}' must be one of '${allowed.join(', ')}'`);
    if ((p === 'HTTPS' || p === 'TLS') && !certificates?.length) throw validation(`A certificate must be specified for ${p} listeners`);
    return p;
  };
  const ruleOf = (ctx: RequestContext, arn: string): RuleRecord => {
    const r = s.store(ctx).rules.get(arn);
    if (!r) throw new ServiceError('RuleNotFound', `One or more rules not found`, 400);
    return r;
  };

  return {
    CreateListener: async (input, ctx) => {
      const lb = s.lb(ctx, input.LoadBalancerArn);
      const store = s.store(ctx);
      const protocol = checkProtocol(lb, input.Protocol, input.Certificates);
      const port = input.Port ?? (lb.type === 'gateway' ? 0 : undefined);
      if (port === undefined) throw validation('A listener port must be specified');
      if (lb.type !== 'gateway' && (port < 1 || port > 65535)) throw validation(`Listener port '${port}' must be between 1 and 65535`);
      const defaultActions = checkActions(input.DefaultActions, tgCheck(ctx, lb));
      const same = s.all(store.listeners).find((l) => l.lbArn === lb.arn && l.port === port);
      if (same) {
        if (same.protocol === protocol && JSON.stringify(same.defaultActions) === JSON.stringify(defaultActions))
          return { Listeners: [listenerView(same)] };
        throw new ServiceError('DuplicateListener', 'A listener already exists on this port for this load balancer', 400);
      }
      const lbPath = lb.arn.split(':loadbalancer/')[1];
      const l: ListenerRecord = {
        arn: s.arn(ctx, `listener/${lbPath}/${hexId()}`),
        lbArn: lb.arn,
        port,
        protocol,
        defaultActions,
        certificates: input.Certificates?.map((c) => ({ CertificateArn: c.CertificateArn })),
        sslPolicy: protocol === 'HTTPS' || protocol === 'TLS' ? (input.SslPolicy ?? 'ELBSecurityPolicy-2016-08') : undefined,
        alpn: input.AlpnPolicy,
        tags: tagsOf(input.Tags),
        attributes: {},
      };
      void kind;
      store.listeners.put(l.arn, l);
      await listenerPorts(s.rt).sync();
      return { Listeners: [listenerView(l)] };
    },

    DescribeListeners: (input, ctx) => {
      const store = s.store(ctx);
      let ls: ListenerRecord[];
      if (input.ListenerArns?.length) ls = input.ListenerArns.map((a) => s.listener(ctx, a));
      else if (input.LoadBalancerArn) {
        s.lb(ctx, input.LoadBalancerArn);
        ls = s
          .all(store.listeners)
          .filter((l) => l.lbArn === input.LoadBalancerArn)
          .sort((a, b) => a.port - b.port);
      } else throw validation('You must specify either listener ARNs or a load balancer ARN');
      const { items, next } = page(ls, input.Marker, input.PageSize);
      return { Listeners: items.map(listenerView), NextMarker: next };
    },

    ModifyListener: async (input, ctx) => {
      const l = s.listener(ctx, input.ListenerArn);
      const lb = s.lb(ctx, l.lbArn);
      if (input.Port !== undefined && input.Port !== l.port) {
        if (s.all(s.store(ctx).listeners).some((x) => x.lbArn === lb.arn && x.port === input.Port))
          throw new ServiceError('DuplicateListener', 'A listener already exists on this port for this load balancer', 400);
        l.port = input.Port;
      }
      if (input.Certificates) l.certificates = input.Certificates.map((c) => ({ CertificateArn: c.CertificateArn }));
      if (input.Protocol) l.protocol = checkProtocol(lb, input.Protocol, l.certificates);
      if (input.SslPolicy) l.sslPolicy = input.SslPolicy;
      if (input.DefaultActions) l.defaultActions = checkActions(input.DefaultActions, tgCheck(ctx, lb));
      s.store(ctx).listeners.put(l.arn, l);
      await listenerPorts(s.rt).sync();
      return { Listeners: [listenerView(l)] };
    },

    DeleteListener: async (input, ctx) => {
      const store = s.store(ctx);
      const l = s.listener(ctx, input.ListenerArn);
      for (const r of s.all(store.rules).filter((x) => x.listenerArn === l.arn)) store.rules.delete(r.arn);
      store.listeners.delete(l.arn);
      await listenerPorts(s.rt).sync();
      return {};
    },

    CreateRule: (input, ctx) => {
      const l = s.listener(ctx, input.ListenerArn);
      const lb = s.lb(ctx, l.lbArn);
      if (lb.type !== 'application') throw validation('Rules are supported only by listeners of application load balancers');
      if (input.Priority === undefined || input.Priority < 1 || input.Priority > 50000)
        throw validation(`Priority '${input.Priority}' must be between 1 and 50000`);
      const conditions = checkConditions(input.Conditions);
      const actions = checkActions(input.Actions, tgCheck(ctx, lb));
      const store = s.store(ctx);
      if (s.all(store.rules).some((r) => r.listenerArn === l.arn && r.priority === input.Priority))
        throw new ServiceError('PriorityInUse', `Priority '${input.Priority}' is currently in use`, 400);
      const r: RuleRecord = {
        arn: l.arn.replace(':listener/', ':listener-rule/') + '/' + hexId(),
        listenerArn: l.arn,
        priority: input.Priority,
        conditions,
        actions,
        tags: tagsOf(input.Tags),
      };
      store.rules.put(r.arn, r);
      return { Rules: [ruleView(r)] };
    },

    DescribeRules: (input, ctx) => {
      const store = s.store(ctx);
      let rules: Rule[];
      if (input.RuleArns?.length) {
        rules = input.RuleArns.map((a) => {
          if (a.endsWith('/default')) {
            const l = s.all(store.listeners).find((x) => defaultRule(x).RuleArn === a);
            if (l) return defaultRule(l);
          }
          return ruleView(ruleOf(ctx, a));
        });
      } else if (input.ListenerArn) {
        const l = s.listener(ctx, input.ListenerArn);
        rules = [
          ...s
            .all(store.rules)
            .filter((r) => r.listenerArn === l.arn)
            .sort((a, b) => a.priority - b.priority)
            .map(ruleView),
          defaultRule(l),
        ];
      } else throw validation('You must specify either listener ARN or rule ARNs');
      const { items, next } = page(rules, input.Marker, input.PageSize);
      return { Rules: items, NextMarker: next };
    },

    ModifyRule: (input, ctx) => {
      const store = s.store(ctx);
      const l = s.all(store.listeners).find((x) => defaultRule(x).RuleArn === input.RuleArn);
      if (l) {
        if (input.Conditions?.length)
          throw new ServiceError('OperationNotPermitted', 'Conditions cannot be specified for the default rule', 400);
        if (input.Actions) l.defaultActions = checkActions(input.Actions, tgCheck(ctx, s.lb(ctx, l.lbArn)));
        store.listeners.put(l.arn, l);
        return { Rules: [defaultRule(l)] };
      }
      const r = ruleOf(ctx, input.RuleArn);
      const lb = s.lb(ctx, s.listener(ctx, r.listenerArn).lbArn);
      if (input.Conditions) r.conditions = checkConditions(input.Conditions);
      if (input.Actions) r.actions = checkActions(input.Actions, tgCheck(ctx, lb));
      store.rules.put(r.arn, r);
      return { Rules: [ruleView(r)] };
    },

    DeleteRule: (input, ctx) => {
      const store = s.store(ctx);
      if (s.all(store.listeners).some((x) => defaultRule(x).RuleArn === input.RuleArn))
        throw new ServiceError('OperationNotPermitted', 'Default rule cannot be deleted', 400);
      ruleOf(ctx, input.RuleArn);
      store.rules.delete(input.RuleArn);
      return {};
    },

    SetRulePriorities: (input, ctx) => {
      const store = s.store(ctx);
      const changes = (input.RulePriorities ?? []).map((p) => ({ r: ruleOf(ctx, p.RuleArn!), priority: p.Priority! }));
      for (const { r, priority } of changes) {
        if (!(priority >= 1 && priority <= 50000)) throw validation(`Priority '${priority}' must be between 1 and 50000`);
        const moving = new Set(changes.map((c) => c.r.arn));
        const clash = s.all(store.rules).find((x) => x.listenerArn === r.listenerArn && x.priority === priority && !moving.has(x.arn));
        if (clash || changes.filter((c) => c.r.listenerArn === r.listenerArn && c.priority === priority).length > 1)
          throw new ServiceError('PriorityInUse', `Priority '${priority}' is currently in use`, 400);
      }
      for (const { r, priority } of changes) store.rules.put(r.arn, { ...r, priority });
      return { Rules: changes.map(({ r, priority }) => ruleView({ ...r, priority })) };
    },
  };
}

export { actionTargetGroups };
