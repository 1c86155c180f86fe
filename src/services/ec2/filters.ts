// One filter engine and one pager for every Describe call: `Filter.N.Name` / `Filter.N.Value.M`
// with EC2's wildcards (`*`, `?`), the generic tag filters (`tag:<key>`, `tag-key`, `tag-value`),
// and MaxResults/NextToken paging over a stable order.
import { ec2Error, invalidParam } from './errors.js';

export interface Filter {
  Name?: string;
  Values?: string[];
}

type Scalar = string | number | boolean | undefined | null;
/** What a filter name reads from a record: one value or several (any may match). */
export type Field<T> = (r: T) => Scalar | Scalar[];
export type Fields<T> = Record<string, Field<T>>;

interface Tagged {
  Tags?: Array<{ Key?: string; Value?: string }>;
}

const patternCache = new Map<string, RegExp>();

/** EC2's filter wildcards: `*` any run, `?` one character, `\` escapes. Case-sensitive. */
export function wildcard(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i];
      if (ch === '\\' && i + 1 < pattern.length) src += escapeRe(pattern[++i]);
      else if (ch === '*') src += '.*';
      else if (ch === '?') src += '.';
      else src += escapeRe(ch);
    }
    re = new RegExp(`^${src}$`, 's');
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const asText = (v: Scalar): string | undefined => (v === undefined || v === null ? undefined : String(v));

function valuesOf<T extends object>(r: T, name: string, fields: Fields<T>): string[] {
  const tags = (r as Tagged).Tags ?? [];
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return tags.filter((t) => t.Key === key).map((t) => t.Value ?? '');
  }
  if (name === 'tag-key') return tags.map((t) => t.Key ?? '');
  if (name === 'tag-value') return tags.map((t) => t.Value ?? '');
  const got = fields[name]!(r);
  const list = Array.isArray(got) ? got : [got];
  return list.map(asText).filter((v): v is string => v !== undefined);
}

/** Checks every filter name is known (before any record is read) and returns a matcher. */
export function matcher<T extends object>(filters: Filter[] | undefined, fields: Fields<T>): (r: T) => boolean {
  const active = (filters ?? []).filter((f) => f.Name !== undefined || f.Values !== undefined);
  if (active.length === 0) return () => true;
  for (const f of active) {
    const name = f.Name ?? '';
    if (!name) throw ec2Error('InvalidParameterValue', "The filter 'null' is invalid");
    if (!name.startsWith('tag:') && name !== 'tag-key' && name !== 'tag-value' && !fields[name]) {
      throw ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
    }
  }
  const compiled = active.map((f) => ({ name: f.Name!, patterns: (f.Values ?? []).map(wildcard) }));
  return (r) =>
    compiled.every(({ name, patterns }) => {
      const values = valuesOf(r, name, fields);
      return patterns.some((p) => values.some((v) => p.test(v)));
    });
}

export function applyFilters<T extends object>(records: T[], filters: Filter[] | undefined, fields: Fields<T>): T[] {
  const m = matcher(filters, fields);
  return records.filter(m);
}

/** Filters that name resources by id first (`InstanceIds`): unknown ids are NotFound, all at once. */
export function selectIds<T>(records: T[], ids: string[] | undefined, idOf: (r: T) => string, notFound: (missing: string[]) => Error): T[] {
  if (!ids || ids.length === 0) return records;
  const wanted = new Set(ids);
  const out = records.filter((r) => wanted.has(idOf(r)));
  const found = new Set(out.map(idOf));
  const missing = [...wanted].filter((id) => !found.has(id));
  if (missing.length) throw notFound(missing);
  return out;
}

export interface PageLimits {
  min?: number;
  max?: number;
}

/** A page of `items` from NextToken (an opaque offset), at most MaxResults long. */
export function page<T>(
  items: T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
  limits: PageLimits = {},
): { items: T[]; NextToken?: string } {
  let start = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const decoded = decodeToken(nextToken);
    if (decoded === undefined) throw ec2Error('InvalidNextToken', `The token '${nextToken}' is invalid.`);
    start = decoded;
  }
  if (maxResults === undefined) return { items: items.slice(start) };
  const min = limits.min ?? 5;
  const max = limits.max ?? 1000;
  if (maxResults < min || maxResults > max) {
    throw invalidParam(`Value ( ${maxResults} ) for parameter maxResults is invalid. Parameter must be between ${min} and ${max}.`);
  }
  const slice = items.slice(start, start + maxResults);
  const next = start + maxResults < items.length ? encodeToken(start + maxResults) : undefined;
  return next ? { items: slice, NextToken: next } : { items: slice };
}

const encodeToken = (offset: number) => Buffer.from(JSON.stringify({ o: offset })).toString('base64url');

function decodeToken(token: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    return typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0 ? v.o : undefined;
  } catch {
    return undefined;
  }
}
