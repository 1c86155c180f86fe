// Segment documents: the checks PutTraceSegments applies to each one (answered per segment in
// UnprocessedTraceSegments with X-Ray's error codes), and the assembly of a trace's stored documents
// into whole segments (independently sent subsegments grafted under their parents).

export interface SegmentDoc {
  id: string;
  trace_id?: string;
  name: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  parent_id?: string;
  type?: string;
  origin?: string;
  namespace?: string;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  user?: string;
  resource_arn?: string;
  http?: { request?: { url?: string; method?: string; user_agent?: string; client_ip?: string }; response?: { status?: number } };
  annotations?: Record<string, string | number | boolean>;
  aws?: Record<string, unknown>;
  subsegments?: SegmentDoc[];
  [k: string]: unknown;
}

export type Checked = { ok: true; doc: SegmentDoc } | { ok: false; id?: string; code: string; message: string };

const HEX16 = /^[0-9a-f]{16}$/;
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
/** letters, numbers, whitespace and _ . : / % & # = + \ - @ (X-Ray's segment name characters), up to 200 */
const NAME = /^[\p{L}\p{N}\s_.:/%&#=+\\\-@]{1,200}$/u;
export const MAX_SEGMENT_BYTES = 64 * 1024;

/** Checks one document as PutTraceSegments does. */
export function checkSegment(text: string): Checked {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, code: 'InvalidSegment', message: 'Invalid segment. ErrorCode: InvalidJson' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    return { ok: false, code: 'MissingId', message: 'Invalid segment. ErrorCode: MissingId' };
  const d = doc as Record<string, unknown>;
  const id = typeof d.id === 'string' ? d.id : undefined;
  const sub = d.type === 'subsegment';
  const fail = (code: string) => ({
    ok: false as const,
    id,
    code,
    message: `Invalid ${sub ? 'subsegment' : 'segment'}. ErrorCode: ${code}`,
  });
  if (Buffer.byteLength(text) > MAX_SEGMENT_BYTES) return fail('SegmentTooLarge');
  if (d.id === undefined) return fail('MissingId');
  if (!id || !HEX16.test(id)) return fail('InvalidId');
  if (d.trace_id === undefined) return fail('MissingTraceId');
  if (typeof d.trace_id !== 'string' || !TRACE_ID.test(d.trace_id)) return fail('InvalidTraceId');
  if (d.name === undefined) return fail('MissingName');
  if (typeof d.name !== 'string' || !NAME.test(d.name)) return fail('InvalidName');
  if (d.start_time === undefined) return fail('MissingStartTime');
  if (typeof d.start_time !== 'number' || !(d.start_time > 0)) return fail('InvalidStartTime');
  if (d.end_time === undefined && d.in_progress !== true) return fail('MissingEndTime');
  if (d.end_time !== undefined && (typeof d.end_time !== 'number' || d.end_time < d.start_time)) return fail('InvalidEndTime');
  if (d.parent_id !== undefined && (typeof d.parent_id !== 'string' || !HEX16.test(d.parent_id))) return fail('InvalidParentId');
  if (sub && d.parent_id === undefined) return fail('MissingParentId');
  const bad = checkSubsegments(d.subsegments);
  if (bad) return { ok: false, id, code: bad, message: `Invalid subsegment. ErrorCode: ${bad}` };
  return { ok: true, doc: d as SegmentDoc };
}

function checkSubsegments(list: unknown): string | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return 'InvalidSubsegments';
  for (const s of list) {
    if (typeof s !== 'object' || s === null) return 'InvalidSubsegments';
    const d = s as Record<string, unknown>;
    if (typeof d.id !== 'string' || !HEX16.test(d.id)) return d.id === undefined ? 'MissingId' : 'InvalidId';
    if (typeof d.name !== 'string' || !NAME.test(d.name)) return d.name === undefined ? 'MissingName' : 'InvalidName';
    if (typeof d.start_time !== 'number') return 'MissingStartTime';
    if (d.end_time === undefined && d.in_progress !== true) return 'MissingEndTime';
    const deeper = checkSubsegments(d.subsegments);
    if (deeper) return deeper;
  }
  return undefined;
}

/** The epoch ms a trace id carries (its second field). */
export const traceEpochMs = (traceId: string) => parseInt(traceId.split('-')[1], 16) * 1000;

/**
 * A trace's stored documents as whole segments: subsegments sent on their own are placed under the
 * segment or subsegment their parent_id names (or dropped when it has not arrived).
 */
export function assemble(docs: SegmentDoc[]): SegmentDoc[] {
  const segments = docs.filter((d) => d.type !== 'subsegment').map((d) => structuredClone(d));
  const loose = docs.filter((d) => d.type === 'subsegment');
  const byId = new Map<string, SegmentDoc>();
  const index = (s: SegmentDoc) => {
    byId.set(s.id, s);
    for (const c of s.subsegments ?? []) index(c);
  };
  segments.forEach(index);
  // a subsegment may be the parent of another loose one: place until nothing more fits
  let pending = loose.map((d) => structuredClone(d));
  for (let progress = true; progress && pending.length;) {
    progress = false;
    const rest: SegmentDoc[] = [];
    for (const s of pending) {
      const parent = byId.get(s.parent_id!);
      if (!parent) {
        rest.push(s);
        continue;
      }
      const { type: _t, trace_id: _tr, parent_id: _p, ...body } = s;
      const placed = body as SegmentDoc;
      parent.subsegments = [...(parent.subsegments ?? []).filter((c) => c.id !== s.id), placed];
      index(placed);
      progress = true;
    }
    pending = rest;
  }
  return segments;
}

/** Every node of a segment: itself and its subsegments, depth first. */
export function* nodes(s: SegmentDoc): Generator<SegmentDoc> {
  yield s;
  for (const c of s.subsegments ?? []) yield* nodes(c);
}
