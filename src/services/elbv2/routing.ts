// How an ALB listener picks what to do with a request: rules in priority order, each matching when
// all its conditions do (a condition matches when any of its values does), the default actions
// last. Pure functions over the request's parts, so they are unit-tested without a server.
import type { Action, RuleCondition } from '../../generated/elbv2.js';

export interface Incoming {
  method: string;
  /** the path as sent (still percent-encoded), without the query */
  path: string;
  /** the raw query string without '?' */
  rawQuery: string;
  /** lowercased header names */
  headers: Record<string, string>;
  sourceIp: string;
}

/** `*` matches any run of characters, `?` one character; the rest literally. */
export function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, caseInsensitive ? 'is' : 's').test(value);
}

const hostname = (host: string) => host.replace(/:\d+$/, '');

function decodeQuery(raw: string): { key: string; value: string }[] {
  if (!raw) return [];
  return raw
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      const dec = (s: string) => {
        try {
          return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          return s;
        }
      };
      return at < 0 ? { key: dec(pair), value: '' } : { key: dec(pair.slice(0, at)), value: dec(pair.slice(at + 1)) };
    });
}

function ipv4(ip: string): number | undefined {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** Is an IPv4 address inside a CIDR block? (IPv6 blocks match only the same address written out.) */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const a = ipv4(ip);
  const b = ipv4(base);
  if (a === undefined || b === undefined) return ip.toLowerCase() === base.toLowerCase();
  const n = bits === undefined ? 32 : Number(bits);
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return (a & mask) === (b & mask);
}

export function conditionMatches(c: RuleCondition, req: Incoming): boolean {
  switch (c.Field) {
    case 'path-pattern':
      return (c.PathPatternConfig?.Values ?? c.Values ?? []).some((p) => wildcard(p, req.path, false));
    case 'host-header':
      return (c.HostHeaderConfig?.Values ?? c.Values ?? []).some((p) => wildcard(p, hostname(req.headers.host ?? ''), true));
    case 'http-header': {
      const name = (c.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase();
      const value = req.headers[name];
      return value !== undefined && (c.HttpHeaderConfig?.Values ?? []).some((p) => wildcard(p, value, true));
    }
    case 'http-request-method':
      return (c.HttpRequestMethodConfig?.Values ?? []).includes(req.method);
    case 'query-string': {
      const pairs = decodeQuery(req.rawQuery);
      return (c.QueryStringConfig?.Values ?? []).some((kv) =>
        pairs.some((p) => (kv.Key === undefined || wildcard(kv.Key, p.key, true)) && wildcard(kv.Value ?? '', p.value, true)),
      );
    }
    case 'source-ip':
      return (c.SourceIpConfig?.Values ?? []).some((cidr) => inCidr(req.sourceIp, cidr));
    default:
      return false;
  }
}

/** The actions of the first rule (lowest priority number) whose conditions all match, else the defaults. */
export function chooseActions(
  rules: { priority: number; conditions: RuleCondition[]; actions: Action[] }[],
  defaults: Action[],
  req: Incoming,
): Action[] {
  const sorted = [...rules].sort((a, b) => a.priority - b.priority);
  const hit = sorted.find((r) => r.conditions.every((c) => conditionMatches(c, req)));
  return [...(hit ? hit.actions : defaults)].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
}

/** A target group among weighted ones (weight 0 never); `roll` in [0, 1). */
export function pickWeighted<T extends { Weight?: number }>(groups: T[], roll: number): T | undefined {
  const live = groups.filter((g) => (g.Weight ?? 1) > 0);
  const total = live.reduce((n, g) => n + (g.Weight ?? 1), 0);
  let at = roll * total;
  for (const g of live) {
    at -= g.Weight ?? 1;
    if (at < 0) return g;
  }
  return live[live.length - 1];
}

export interface RedirectSource {
  protocol: string;
  host: string;
  port: string;
  /** the path without its leading '/' */
  path: string;
  query: string;
}

/** The Location of a redirect action: its parts with #{protocol}, #{host}, #{port}, #{path}, #{query} filled in. */
export function redirectLocation(
  c: { Protocol?: string; Host?: string; Port?: string; Path?: string; Query?: string },
  src: RedirectSource,
): string {
  const fill = (t: string) => t.replace(/#\{(protocol|host|port|path|query)\}/g, (_, k: keyof RedirectSource) => src[k]);
  const protocol = fill(c.Protocol ?? '#{protocol}').toLowerCase();
  const host = fill(c.Host ?? '#{host}');
  const port = fill(c.Port ?? '#{port}');
  let path = fill(c.Path ?? '/#{path}');
  if (!path.startsWith('/')) path = '/' + path;
  const query = fill(c.Query ?? '#{query}');
  return `${protocol}://${host}${port ? ':' + port : ''}${path}${query ? '?' + query : ''}`;
}
