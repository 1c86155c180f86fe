// Serving Application Load Balancers on the gateway's port: ELBv2's profile claims requests whose Host
// is a load balancer's DNS name (`<name>-<id>.<region>.elb.localhost`, which resolves to 127.0.0.1)
// and the path form `/_nimbus/elb/<name>/<listener-port>/…` for clients that cannot set Host. The
// listener's rules pick the actions; a forward goes to a target chosen by select.ts. The same serving
// answers a listener on its own port (serveListener, from alb-port.ts).
import { randomBytes } from 'node:crypto';
import type { Action } from '../../generated/elbv2.js';
import type { ClaimedRequests, HttpRequest, HttpResponse, Runtime } from '../../kit.js';
import { elbState, type LbRecord, type ListenerRecord, type LbRef } from './store.js';
import { chooseActions, pickWeighted, redirectLocation, type Incoming } from './routing.js';
import { chooseTarget, groupCookies, stickyGroup } from './select.js';
import { elbPage, forward } from './proxy.js';
import { invokeLambda } from './lambda-target.js';
import { withFlows } from './flows.js';
import { reaches } from './reach.js';

const HOST = /^(?:internal-)?([a-z0-9-]+)\.([a-z0-9-]+)\.elb\.localhost\.?(?::(\d+))?$/i;
const PATH = /^\/_nimbus\/elb\/([^/]+)\/(\d+)(\/.*)?$/;

interface Located {
  ref: LbRef;
  lb: LbRecord;
  listener: ListenerRecord;
  /** the path the load balancer sees (after the path form's prefix) */
  path: string;
  /** the path form's prefix, kept on redirects to the same host */
  mount: string;
}

const notFound = (what: string): HttpResponse => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: `Nimbus: ${what}\n` });

/** X-Amzn-Trace-Id: a caller's Root is kept, else a new one (1-<epoch seconds hex>-<96 random bits>). */
function traceId(incoming: string | undefined, nowMs: number): string {
  if (incoming && /Root=1-[0-9a-f]{8}-[0-9a-f]{24}/.test(incoming)) return incoming;
  return `Root=1-${Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

export function trafficGateway(rt: Runtime): ClaimedRequests {
  const s = elbState(rt);

  function locate(req: HttpRequest): Located | HttpResponse {
    const h = HOST.exec(req.headers.host ?? '');
    let ref: LbRef | undefined;
    let port: number | undefined;
    let path = req.path;
    let mount = '';
    if (h) {
      ref = s.names.get(`d|${h[1].toLowerCase()}`);
      port = h[3] ? Number(h[3]) : 80;
    } else {
      const p = PATH.exec(req.path);
      if (!p) return notFound('no load balancer is named in this path (/_nimbus/elb/<name>/<listener-port>/…)');
      ref = p[1].includes('.')
        ? s.names.get(
            `d|${p[1]
              .split('.')[0]
              .replace(/^internal-/i, '')
              .toLowerCase()}`,
          )
        : [...s.names.scan({ prefix: `n|${p[1]}|` })][0]?.[1];
      port = Number(p[2]);
      path = p[3] ?? '/';
      mount = `/_nimbus/elb/${p[1]}/${p[2]}`;
    }
    const lb = ref && s.store(ref).lbs.get(ref.arn);
    if (!ref || !lb) return notFound('no load balancer answers this name');
    if (lb.type !== 'application')
      return notFound(`load balancer '${lb.name}' is not an application load balancer; only ALBs forward HTTP`);
    const listeners = s
      .all(s.store(ref).listeners)
      .filter((l) => l.lbArn === lb.arn && (l.protocol === 'HTTP' || l.protocol === 'HTTPS'))
      .sort((a, b) => a.port - b.port);
    // through the gateway's own port the Host names that port, not a listener's: the listener on 80, else the first
    const listener = listeners.find((l) => l.port === port) ?? (h ? (listeners.find((l) => l.port === 80) ?? listeners[0]) : undefined);
    if (!listener) return notFound(`load balancer '${lb.name}' has no HTTP listener on port ${port}`);
    return { ref, lb, listener, path, mount };
  }

  return {
    claims: (req) => HOST.test(req.headers.host ?? '') || req.path.startsWith('/_nimbus/elb/'),

    async serve(req, info) {
      const at = locate(req);
      return 'listener' in at ? route(rt, at, req, info) : at;
    },
  };
}

/** The listener's rules choose the actions; the first terminal one answers. */
function route(rt: Runtime, at: Located, req: HttpRequest, info: { sourceIp: string }): Promise<HttpResponse> {
  const incoming: Incoming = {
    method: req.method,
    path: at.path,
    rawQuery: req.rawQuery,
    headers: req.headers,
    sourceIp: info.sourceIp.replace(/^::ffff:/, ''),
  };
  const s = elbState(rt);
  const rules = s.all(s.store(at.ref).rules).filter((r) => r.listenerArn === at.listener.arn);
  const actions = chooseActions(rules, at.listener.defaultActions, incoming);
  const terminal = actions.find((a) => a.Type === 'forward' || a.Type === 'fixed-response' || a.Type === 'redirect');
  return terminal ? act(rt, at, terminal, req, info) : Promise.resolve(elbPage(500));
}

/** A request that reached a listener on its own port: the listener is known, the path is the load balancer's. */
export async function serveListener(
  rt: Runtime,
  ref: LbRef,
  listenerArn: string,
  req: HttpRequest,
  sourceIp: string,
): Promise<HttpResponse> {
  const store = elbState(rt).store(ref);
  const lb = store.lbs.get(ref.arn);
  const listener = store.listeners.get(listenerArn);
  if (!lb || !listener) return elbPage(503);
  return route(rt, { ref, lb, listener, path: req.path, mount: '' }, req, { sourceIp });
}

async function act(rt: Runtime, at: Located, action: Action, req: HttpRequest, info: { sourceIp: string }): Promise<HttpResponse> {
  if (action.Type === 'fixed-response') {
    const c = action.FixedResponseConfig!;
    return {
      status: Number(c.StatusCode),
      headers: { server: 'awselb/2.0', 'content-type': c.ContentType ?? 'text/plain; charset=utf-8' },
      body: c.MessageBody ?? '',
    };
  }
  if (action.Type === 'redirect') {
    const c = action.RedirectConfig!;
    const hostHeader = req.headers.host ?? '';
    const hostPort = /:(\d+)$/.exec(hostHeader)?.[1];
    const sameHost = (c.Host ?? '#{host}') === '#{host}' && (c.Port ?? '#{port}') === '#{port}';
    const location = redirectLocation(
      { ...c, Path: (sameHost ? at.mount : '') + (c.Path ?? '/#{path}') },
      {
        protocol: at.listener.protocol,
        host: hostHeader.replace(/:\d+$/, ''),
        port: hostPort ?? String(at.listener.port),
        path: at.path.replace(/^\//, ''),
        query: req.rawQuery,
      },
    );
    const page = elbPage(c.StatusCode === 'HTTP_301' ? 301 : 302);
    return { ...page, headers: { ...page.headers, location } };
  }
  if (action.Type !== 'forward') return elbPage(500);
  const groups = action.ForwardConfig?.TargetGroups?.length
    ? action.ForwardConfig.TargetGroups
    : [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
  const now = rt.clock.nowMs();
  const groupSticky = action.ForwardConfig?.TargetGroupStickinessConfig;
  const arns = groups.map((g) => g.TargetGroupArn!);
  const tgArn =
    (groupSticky?.Enabled ? stickyGroup(req.headers.cookie, arns, now) : undefined) ?? pickWeighted(groups, Math.random())?.TargetGroupArn;
  if (!tgArn) return elbPage(503);
  const chosen = await chooseTarget(rt, at.ref, tgArn, req.headers.cookie);
  if (!chosen) return elbPage(503);
  const cookies = [
    ...chosen.cookies,
    ...(groupSticky?.Enabled && groups.length > 1 ? groupCookies(tgArn, now + (groupSticky.DurationSeconds ?? 3600) * 1000) : []),
  ];
  const clientIp = info.sourceIp.replace(/^::ffff:/, '');
  const headers: Record<string, string> = {
    ...req.headers,
    'x-forwarded-for': req.headers['x-forwarded-for'] ? `${req.headers['x-forwarded-for']}, ${clientIp}` : clientIp,
    'x-forwarded-proto': at.listener.protocol.toLowerCase(),
    'x-forwarded-port': String(at.listener.port),
    'x-amzn-trace-id': traceId(req.headers['x-amzn-trace-id'], now),
  };
  const target = at.path + (req.rawQuery ? `?${req.rawQuery}` : '');
  let res: HttpResponse;
  const { tg, target: t } = chosen;
  if (tg.targetType === 'lambda') {
    const multi = tg.attributes['lambda.multi_value_headers.enabled'] === 'true';
    res =
      (await invokeLambda(
        rt,
        t.id,
        tg.arn,
        { method: req.method, path: at.path, rawQuery: req.rawQuery, headers, body: req.body },
        multi,
      ).catch(() => undefined)) ?? elbPage(502);
  } else {
    const where =
      tg.targetType === 'instance'
        ? rt.integrations.ec2?.endpoint?.(at.ref.account, at.ref.region, t.id, t.port)
        : { host: t.id, port: t.port };
    const timeoutMs = Number(at.lb.attributes['idle_timeout.timeout_seconds'] ?? 60) * 1000;
    const start = rt.clock.nowMs();
    // a target its security groups keep the ALB from: the connection attempt times out, which ELB answers with 504
    const blocked = !!chosen.instance && !(await reaches(rt, at.ref, at.lb, chosen.instance, t.port));
    res = blocked
      ? elbPage(504)
      : where
        ? await forward({ host: where.host, port: where.port, method: req.method, target, headers, body: req.body, timeoutMs })
        : elbPage(502);
    if (where && !blocked && chosen.instance) {
      const carried = {
        w: at.ref,
        lb: at.lb,
        instance: chosen.instance,
        port: t.port,
        method: req.method,
        target,
        headers,
        body: req.body,
      };
      res = await withFlows(rt, { ...carried, start }, res);
    }
  }
  if (cookies.length) {
    const prior = res.headers['set-cookie'];
    res.headers['set-cookie'] = [...(prior === undefined ? [] : Array.isArray(prior) ? prior : [prior]), ...cookies];
  }
  return res;
}
