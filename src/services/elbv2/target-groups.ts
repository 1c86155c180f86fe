// Target groups: create (health check defaults by protocol), describe, modify, delete, attributes.
import { ServiceError, type RequestContext } from '../../kit.js';
import type { Elbv2Provider, TargetGroup, CreateTargetGroupInput, ModifyTargetGroupInput } from '../../generated/elbv2.js';
import { ElbState, type Where, checkName, hexId, page, tagsOf, validation, type TgRecord } from './store.js';
import { actionTargetGroups } from './actions.js';

const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'];
const HTTPISH = (p?: string) => p === 'HTTP' || p === 'HTTPS';

function tgAttributes(tg: { targetType: string; protocol?: string }): Record<string, string> {
  if (tg.targetType === 'lambda') return { 'lambda.multi_value_headers.enabled': 'false' };
  const base: Record<string, string> = { 'deregistration_delay.timeout_seconds': '300', 'stickiness.enabled': 'false' };
  if (HTTPISH(tg.protocol)) {
    return {
      ...base,
      'stickiness.type': 'lb_cookie',
      'stickiness.lb_cookie.duration_seconds': '86400',
      'stickiness.app_cookie.cookie_name': '',
      'stickiness.app_cookie.duration_seconds': '86400',
      'load_balancing.algorithm.type': 'round_robin',
      'load_balancing.algorithm.anomaly_mitigation': 'off',
      'slow_start.duration_seconds': '0',
      'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
    };
  }
  return {
    ...base,
    'stickiness.type': 'source_ip',
    'deregistration_delay.connection_termination.enabled': 'false',
    'preserve_client_ip.enabled': tg.targetType === 'instance' ? 'true' : 'false',
    'proxy_protocol_v2.enabled': 'false',
    'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  };
}

/** The load balancers whose listeners or rules forward to a target group. */
export function lbArnsOf(s: ElbState, ctx: Where, tgArn: string): string[] {
  const store = s.store(ctx);
  const out = new Set<string>();
  const listeners = s.all(store.listeners);
  for (const l of listeners) if (actionTargetGroups(l.defaultActions).includes(tgArn)) out.add(l.lbArn);
  for (const r of s.all(store.rules)) {
    if (!actionTargetGroups(r.actions).includes(tgArn)) continue;
    const l = listeners.find((x) => x.arn === r.listenerArn);
    if (l) out.add(l.lbArn);
  }
  return [...out];
}

export function tgView(s: ElbState, ctx: RequestContext, tg: TgRecord): TargetGroup {
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol as TargetGroup['Protocol'],
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: tg.hc.protocol as TargetGroup['Protocol'],
    HealthCheckPort: tg.hc.port,
    HealthCheckEnabled: tg.hc.enabled,
    HealthCheckIntervalSeconds: tg.hc.interval,
    HealthCheckTimeoutSeconds: tg.hc.timeout,
    HealthyThresholdCount: tg.hc.healthy,
    UnhealthyThresholdCount: tg.hc.unhealthy,
    HealthCheckPath: tg.hc.path,
    Matcher: tg.hc.matcher,
    LoadBalancerArns: lbArnsOf(s, ctx, tg.arn),
    TargetType: tg.targetType as TargetGroup['TargetType'],
    ProtocolVersion: tg.protocolVersion,
    IpAddressType: tg.targetType === 'lambda' ? undefined : (tg.ipAddressType as TargetGroup['IpAddressType']),
  };
}

type HcInput = Pick<
  CreateTargetGroupInput,
  | 'HealthCheckProtocol'
  | 'HealthCheckPort'
  | 'HealthCheckEnabled'
  | 'HealthCheckPath'
  | 'HealthCheckIntervalSeconds'
  | 'HealthCheckTimeoutSeconds'
  | 'HealthyThresholdCount'
  | 'UnhealthyThresholdCount'
  | 'Matcher'
>;

/** Applies health check settings over a current (or default) set, checking AWS's ranges. */
function healthCheck(input: HcInput | ModifyTargetGroupInput, current: TgRecord['hc'], tgProtocol?: string): TgRecord['hc'] {
  const hc = { ...current };
  if (input.HealthCheckProtocol !== undefined) {
    if (!PROTOCOLS.includes(input.HealthCheckProtocol))
      throw validation(`Health check protocol '${input.HealthCheckProtocol}' is not supported`);
    hc.protocol = input.HealthCheckProtocol;
  }
  if (input.HealthCheckPort !== undefined) {
    const p = input.HealthCheckPort;
    if (p !== 'traffic-port' && !(Number(p) >= 1 && Number(p) <= 65535))
      throw validation(`Health check port '${p}' must be 'traffic-port' or a number between 1 and 65535`);
    hc.port = p;
  }
  if (input.HealthCheckEnabled !== undefined) hc.enabled = input.HealthCheckEnabled;
  if (input.HealthCheckPath !== undefined) {
    if (!HTTPISH(hc.protocol)) throw validation(`Health check path is not supported for health check protocol '${hc.protocol}'`);
    if (!input.HealthCheckPath.startsWith('/') || input.HealthCheckPath.length > 1024)
      throw validation("Health check path must begin with '/' and be at most 1024 characters");
    hc.path = input.HealthCheckPath;
  }
  const range = (v: number | undefined, lo: number, hi: number, what: string) => {
    if (v !== undefined && (v < lo || v > hi)) throw validation(`${what} '${v}' must be between ${lo} and ${hi}`);
    return v;
  };
  hc.interval = range(input.HealthCheckIntervalSeconds, 5, 300, 'Health check interval') ?? hc.interval;
  hc.timeout = range(input.HealthCheckTimeoutSeconds, 2, 120, 'Health check timeout') ?? hc.timeout;
  hc.healthy = range(input.HealthyThresholdCount, 2, 10, 'Healthy threshold count') ?? hc.healthy;
  hc.unhealthy = range(input.UnhealthyThresholdCount, 2, 10, 'Unhealthy threshold count') ?? hc.unhealthy;
  if (hc.timeout >= hc.interval)
    throw validation(`Health check timeout '${hc.timeout}' must be smaller than the interval '${hc.interval}'`);
  if (input.Matcher !== undefined) {
    if (input.Matcher.HttpCode !== undefined && !/^\d{3}([-,]\d{3})*$/.test(input.Matcher.HttpCode))
      throw validation(`Health check matcher HTTP code '${input.Matcher.HttpCode}' is not valid`);
    hc.matcher = input.Matcher;
  }
  void tgProtocol;
  return hc;
}

function defaultHc(targetType: string, protocol?: string): TgRecord['hc'] {
  if (targetType === 'lambda')
    return {
      enabled: false,
      port: 'traffic-port',
      interval: 35,
      timeout: 30,
      healthy: 5,
      unhealthy: 2,
      path: '/',
      matcher: { HttpCode: '200' },
      protocol: 'HTTP',
    };
  if (HTTPISH(protocol))
    return {
      protocol,
      enabled: true,
      port: 'traffic-port',
      path: '/',
      interval: 30,
      timeout: 5,
      healthy: 5,
      unhealthy: 2,
      matcher: { HttpCode: '200' },
    };
  return {
    protocol: protocol === 'UDP' || protocol === 'TCP_UDP' || protocol === 'TLS' ? 'TCP' : protocol,
    enabled: true,
    port: 'traffic-port',
    interval: 30,
    timeout: 10,
    healthy: 5,
    unhealthy: 2,
  };
}

export function targetGroupHandlers(s: ElbState): Partial<Elbv2Provider> {
  return {
    CreateTargetGroup: async (input, ctx) => {
      const name = checkName(input.Name, 'Target group');
      const targetType = input.TargetType ?? 'instance';
      if (!['instance', 'ip', 'lambda', 'alb'].includes(targetType)) throw validation(`Target type '${targetType}' is not valid`);
      if (targetType !== 'lambda') {
        if (!input.Protocol) throw validation('A protocol must be specified');
        if (!PROTOCOLS.includes(input.Protocol)) throw validation(`Protocol '${input.Protocol}' is not supported`);
        if (input.Port === undefined) throw validation('A port must be specified');
        if (input.Port < 1 || input.Port > 65535) throw validation(`Port '${input.Port}' must be between 1 and 65535`);
        if (!input.VpcId) throw validation('A VPC ID must be specified');
      } else if (input.Protocol || input.Port !== undefined || input.VpcId) {
        throw validation("Protocol, port and VPC ID cannot be specified for target groups with target type 'lambda'");
      }
      const hc = healthCheck(input, defaultHc(targetType, input.Protocol), input.Protocol);
      const tags = tagsOf(input.Tags);
      const store = s.store(ctx);
      const existing = s.all(store.tgs).find((t) => t.name === name);
      if (existing) {
        if (
          existing.protocol !== input.Protocol ||
          existing.port !== input.Port ||
          existing.vpcId !== input.VpcId ||
          existing.targetType !== targetType
        ) {
          throw new ServiceError(
            'DuplicateTargetGroupName',
            `A target group with the same name '${name}' exists, but with different settings`,
            400,
          );
        }
        return { TargetGroups: [tgView(s, ctx, existing)] };
      }
      if (input.VpcId) {
        try {
          await s.ec2(ctx, 'DescribeVpcs', { VpcIds: [input.VpcId] });
        } catch (e) {
          if (e instanceof ServiceError && /NotFound|Malformed/.test(e.code)) throw validation(`The VPC ID '${input.VpcId}' is not found`);
          throw e;
        }
      }
      const arn = s.arn(ctx, `targetgroup/${name}/${hexId()}`);
      const tg: TgRecord = {
        arn,
        name,
        targetType,
        protocol: input.Protocol,
        port: input.Port,
        vpcId: input.VpcId,
        hc,
        tags,
        protocolVersion: HTTPISH(input.Protocol) ? (input.ProtocolVersion ?? 'HTTP1') : undefined,
        ipAddressType: input.IpAddressType ?? 'ipv4',
        attributes: tgAttributes({ targetType, protocol: input.Protocol }),
      };
      store.tgs.put(arn, tg);
      return { TargetGroups: [tgView(s, ctx, tg)] };
    },

    DescribeTargetGroups: (input, ctx) => {
      const store = s.store(ctx);
      let tgs = s.all(store.tgs).sort((a, b) => a.name.localeCompare(b.name));
      if (input.TargetGroupArns?.length) tgs = input.TargetGroupArns.map((a) => s.tg(ctx, a));
      else if (input.Names?.length) {
        tgs = input.Names.map((n) => {
          const tg = tgs.find((t) => t.name === n);
          if (!tg) throw new ServiceError('TargetGroupNotFound', `One or more target groups not found`, 400);
          return tg;
        });
      }
      if (input.LoadBalancerArn) {
        s.lb(ctx, input.LoadBalancerArn);
        tgs = tgs.filter((t) => lbArnsOf(s, ctx, t.arn).includes(input.LoadBalancerArn!));
      }
      const { items, next } = page(tgs, input.Marker, input.PageSize);
      return { TargetGroups: items.map((t) => tgView(s, ctx, t)), NextMarker: next };
    },

    ModifyTargetGroup: (input, ctx) => {
      const tg = s.tg(ctx, input.TargetGroupArn);
      tg.hc = healthCheck(input, tg.hc, tg.protocol);
      s.store(ctx).tgs.put(tg.arn, tg);
      return { TargetGroups: [tgView(s, ctx, tg)] };
    },

    DeleteTargetGroup: (input, ctx) => {
      const store = s.store(ctx);
      const tg = store.tgs.get(input.TargetGroupArn);
      if (!tg) return {};
      if (lbArnsOf(s, ctx, tg.arn).length)
        throw new ServiceError('ResourceInUse', `Target group '${tg.arn}' is currently in use by a listener or a rule`, 400);
      store.targets.clear(`${tg.arn}\u0000`);
      store.tgs.delete(tg.arn);
      return {};
    },

    DescribeTargetGroupAttributes: (input, ctx) => {
      const tg = s.tg(ctx, input.TargetGroupArn);
      return { Attributes: Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value })) };
    },

    ModifyTargetGroupAttributes: (input, ctx) => {
      const tg = s.tg(ctx, input.TargetGroupArn);
      for (const a of input.Attributes ?? []) {
        if (!a.Key || !(a.Key in tg.attributes)) throw validation(`Target group attribute key '${a.Key}' is not recognized`);
        const v = a.Value ?? '';
        if (a.Key.endsWith('.enabled') && v !== 'true' && v !== 'false')
          throw validation(`Target group attribute value '${v}' is not valid for key '${a.Key}'`);
        if (a.Key === 'deregistration_delay.timeout_seconds' && !(Number(v) >= 0 && Number(v) <= 3600))
          throw validation('Deregistration delay must be between 0 and 3600 seconds');
        tg.attributes[a.Key] = v;
      }
      s.store(ctx).tgs.put(tg.arn, tg);
      return { Attributes: Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value })) };
    },
  };
}
