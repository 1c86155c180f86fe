// What X-Ray derives from a trace's segments: its summary (times, flags, HTTP, annotations, the
// services it touched), the facts filter expressions test, and the service graph (nodes for the
// services that sent segments and for the downstream calls their aws/remote subsegments record).
import type { Edge, Service, ServiceId, TraceSummary, ValueWithServiceIds } from '../../generated/xray.js';
import { nodes, type SegmentDoc } from './segments.js';

/** The facts of a trace (or of one service's segments) a filter expression tests. */
export interface TraceView {
  responsetime: number;
  duration: number;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  partial: boolean;
  http: { status?: number; url?: string; method?: string; useragent?: string; clientip?: string };
  users: string[];
  annotations: Map<string, (string | number | boolean)[]>;
  services: ServiceId[];
  /** `from|to` service names of the edges between services */
  edges: Set<string>;
  /** the same facts restricted to one service's segments */
  of(name: string, type?: string): TraceView;
}

const AWS_TYPES: Record<string, string> = {
  DynamoDB: 'AWS::DynamoDB::Table',
  S3: 'AWS::S3::Bucket',
  SQS: 'AWS::SQS::Queue',
  SNS: 'AWS::SNS',
  Lambda: 'AWS::Lambda',
  STS: 'AWS::STS',
  KMS: 'AWS::KMS',
};

/** The downstream service an aws or remote subsegment calls, if it records one. */
function downstream(s: SegmentDoc): ServiceId | undefined {
  if (s.namespace === 'aws') return { Name: s.name, Names: [s.name], Type: AWS_TYPES[s.name] ?? `AWS::${s.name}` };
  if (s.namespace === 'remote') return { Name: s.name, Names: [s.name], Type: 'remote' };
  return undefined;
}

const serviceOf = (s: SegmentDoc): ServiceId => ({ Name: s.name, Names: [s.name], ...(s.origin ? { Type: s.origin } : {}) });
const idKey = (s: ServiceId) => `${s.Name}|${s.Type ?? ''}`;

/** Trace-wide times in seconds: earliest start, latest end; the root segment's response time. */
function times(segs: SegmentDoc[]) {
  const start = Math.min(...segs.map((s) => s.start_time));
  const end = Math.max(...segs.map((s) => s.end_time ?? s.start_time));
  const root = segs.find((s) => !s.parent_id) ?? segs[0];
  return { start, end, root, response: (root.end_time ?? root.start_time) - root.start_time };
}

/** Edges between services: a segment whose parent lives in another segment, an aws/remote call. */
function edgesOf(segs: SegmentDoc[]): { from: SegmentDoc; to: ServiceId; call: SegmentDoc; target?: SegmentDoc }[] {
  const owner = new Map<string, SegmentDoc>();
  const byId = new Map<string, SegmentDoc>();
  for (const s of segs)
    for (const n of nodes(s)) {
      owner.set(n.id, s);
      byId.set(n.id, n);
    }
  const parented = new Set(segs.map((s) => s.parent_id).filter(Boolean));
  const out: { from: SegmentDoc; to: ServiceId; call: SegmentDoc; target?: SegmentDoc }[] = [];
  for (const s of segs) {
    const parentOwner = s.parent_id ? owner.get(s.parent_id) : undefined;
    if (parentOwner && parentOwner !== s) out.push({ from: parentOwner, to: serviceOf(s), call: byId.get(s.parent_id!)!, target: s });
    for (const n of nodes(s)) {
      if (n === s || parented.has(n.id)) continue; // a call answered by a segment of its own is that segment's edge
      const d = downstream(n);
      if (d) out.push({ from: s, to: d, call: n });
    }
  }
  return out;
}

export function view(segs: SegmentDoc[]): TraceView {
  const all = segs.flatMap((s) => [...nodes(s)]);
  const t = segs.length ? times(segs) : undefined;
  const annotations = new Map<string, (string | number | boolean)[]>();
  for (const n of all) for (const [k, v] of Object.entries(n.annotations ?? {})) annotations.set(k, [...(annotations.get(k) ?? []), v]);
  const services = new Map<string, ServiceId>();
  for (const s of segs) services.set(idKey(serviceOf(s)), serviceOf(s));
  const edges = edgesOf(segs);
  for (const e of edges) services.set(idKey(e.to), e.to);
  const http = t?.root.http;
  return {
    responsetime: t?.response ?? 0,
    duration: t ? t.end - t.start : 0,
    error: all.some((n) => n.error === true),
    fault: all.some((n) => n.fault === true),
    throttle: all.some((n) => n.throttle === true),
    partial: all.some((n) => n.in_progress === true),
    http: {
      status: http?.response?.status,
      url: http?.request?.url,
      method: http?.request?.method,
      useragent: http?.request?.user_agent,
      clientip: http?.request?.client_ip,
    },
    users: [...new Set(segs.map((s) => s.user).filter((u): u is string => typeof u === 'string'))],
    annotations,
    services: [...services.values()],
    edges: new Set(edges.map((e) => `${e.from.name}|${e.to.Name}`)),
    of: (name, type) => view(segs.filter((s) => s.name === name && (type === undefined || s.origin === type))),
  };
}

export function summarize(traceId: string, segs: SegmentDoc[], revision: number): TraceSummary {
  const v = view(segs);
  const t = times(segs);
  const annotations: Record<string, ValueWithServiceIds[]> = {};
  for (const s of segs) {
    for (const n of nodes(s)) {
      for (const [k, val] of Object.entries(n.annotations ?? {})) {
        const value =
          typeof val === 'number' ? { NumberValue: val } : typeof val === 'boolean' ? { BooleanValue: val } : { StringValue: String(val) };
        (annotations[k] ??= []).push({ AnnotationValue: value, ServiceIds: [serviceOf(s)] });
      }
    }
  }
  const h = v.http;
  return {
    Id: traceId,
    StartTime: new Date(t.start * 1000),
    Duration: round(v.duration),
    ResponseTime: round(v.responsetime),
    HasError: v.error,
    HasFault: v.fault,
    HasThrottle: v.throttle,
    IsPartial: v.partial,
    Http:
      h.url || h.status !== undefined
        ? { HttpURL: h.url, HttpStatus: h.status, HttpMethod: h.method, UserAgent: h.useragent, ClientIp: h.clientip }
        : undefined,
    Annotations: annotations,
    Users: v.users.map((u) => ({ UserName: u, ServiceIds: segs.filter((s) => s.user === u).map(serviceOf) })),
    ServiceIds: v.services,
    ResourceARNs: [...new Set(segs.map((s) => s.resource_arn).filter((a): a is string => typeof a === 'string'))].map((ARN) => ({ ARN })),
    EntryPoint: serviceOf(t.root),
    Revision: revision,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

interface NodeAcc {
  id: ServiceId;
  root: boolean;
  start: number;
  end: number;
  stats: { ok: number; error: number; throttle: number; fault: number; total: number; time: number };
  edges: Map<string, { to: string; start: number; end: number; stats: NodeAcc['stats'] }>;
}

const emptyStats = () => ({ ok: 0, error: 0, throttle: 0, fault: 0, total: 0, time: 0 });

function count(stats: NodeAcc['stats'], n: SegmentDoc): void {
  const time = (n.end_time ?? n.start_time) - n.start_time;
  stats.total++;
  stats.time += time;
  if (n.fault) stats.fault++;
  else if (n.throttle) stats.throttle++;
  else if (n.error) stats.error++;
  else stats.ok++;
}

const statistics = (s: NodeAcc['stats']) => ({
  OkCount: s.ok,
  ErrorStatistics: { ThrottleCount: s.throttle, OtherCount: s.error, TotalCount: s.error + s.throttle },
  FaultStatistics: { OtherCount: s.fault, TotalCount: s.fault },
  TotalCount: s.total,
  TotalResponseTime: round(s.time),
});

/** The service graph of a set of traces: one node per service, edges with their call statistics. */
export function serviceGraph(traces: SegmentDoc[][], account: string): Service[] {
  const acc = new Map<string, NodeAcc>();
  const node = (id: ServiceId, root = false) => {
    const key = idKey(id);
    let n = acc.get(key);
    if (!n) acc.set(key, (n = { id, root, start: Infinity, end: 0, stats: emptyStats(), edges: new Map() }));
    if (root) n.root = true;
    return n;
  };
  for (const segs of traces) {
    const roots = new Set(segs.filter((s) => !s.parent_id));
    for (const s of segs) {
      const n = node(serviceOf(s), roots.has(s));
      n.start = Math.min(n.start, s.start_time);
      n.end = Math.max(n.end, s.end_time ?? s.start_time);
      count(n.stats, s);
    }
    for (const e of edgesOf(segs)) {
      const from = node(serviceOf(e.from));
      const to = node(e.to);
      if (!e.target) {
        to.start = Math.min(to.start, e.call.start_time);
        to.end = Math.max(to.end, e.call.end_time ?? e.call.start_time);
        count(to.stats, e.call);
      }
      const key = idKey(e.to);
      let edge = from.edges.get(key);
      if (!edge) from.edges.set(key, (edge = { to: key, start: Infinity, end: 0, stats: emptyStats() }));
      edge.start = Math.min(edge.start, e.call.start_time);
      edge.end = Math.max(edge.end, e.call.end_time ?? e.call.start_time);
      count(edge.stats, e.call);
    }
  }
  const refs = new Map([...acc.keys()].map((k, i) => [k, i]));
  return [...acc.entries()].map(([key, n]): Service => ({
    ReferenceId: refs.get(key),
    Name: n.id.Name,
    Names: n.id.Names,
    Root: n.root || undefined,
    AccountId: n.id.Type?.startsWith('AWS::') && !n.id.Type.startsWith('AWS::Lambda::Function') ? undefined : account,
    Type: n.id.Type,
    State: 'active',
    StartTime: new Date(n.start * 1000),
    EndTime: new Date(n.end * 1000),
    Edges: [...n.edges.values()].map((e): Edge => ({
      ReferenceId: refs.get(e.to),
      StartTime: new Date(e.start * 1000),
      EndTime: new Date(e.end * 1000),
      SummaryStatistics: statistics(e.stats),
      Aliases: [],
    })),
    SummaryStatistics: statistics(n.stats),
  }));
}
