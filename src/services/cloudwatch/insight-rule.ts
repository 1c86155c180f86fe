// A Contributor Insights rule (schema CloudWatchLogRule version 1), parsed and applied to log events:
// JSON events addressed by `$.a.b` paths, CLF events by the names the rule's Fields give to their
// positions; Filters (In, NotIn, StartsWith, EqualTo, GreaterThan, LessThan, IsPresent); the
// contribution of each event to its key tuple (Count: 1, Sum: the ValueOf field). Pure.

export interface Rule {
  groups: string[];
  format: 'JSON' | 'CLF';
  fields: Record<string, string>;
  keys: string[];
  valueOf?: string;
  filters: Array<Record<string, unknown> & { Match: string }>;
  aggregate: 'Count' | 'Sum';
}

export class RuleError extends Error {}

const OPS = ['In', 'NotIn', 'StartsWith', 'EqualTo', 'GreaterThan', 'LessThan', 'IsPresent'];

export function parseRule(definition: string): Rule {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(definition);
  } catch {
    throw new RuleError('The rule definition is not valid JSON.');
  }
  const schema = d.Schema as { Name?: string; Version?: number } | undefined;
  if (schema?.Name !== 'CloudWatchLogRule' || schema.Version !== 1)
    throw new RuleError('Schema must be {"Name": "CloudWatchLogRule", "Version": 1}.');
  const groups = d.LogGroupNames;
  if (!Array.isArray(groups) || !groups.length || groups.some((g) => typeof g !== 'string'))
    throw new RuleError('LogGroupNames must be a non-empty list of log group names.');
  const format = d.LogFormat;
  if (format !== 'JSON' && format !== 'CLF') throw new RuleError('LogFormat must be JSON or CLF.');
  const c = d.Contribution as { Keys?: unknown; ValueOf?: unknown; Filters?: unknown } | undefined;
  const keys = c?.Keys;
  if (!Array.isArray(keys) || keys.length < 1 || keys.length > 4 || keys.some((k) => typeof k !== 'string'))
    throw new RuleError('Contribution.Keys must list one to four fields.');
  const aggregate = d.AggregateOn;
  if (aggregate !== 'Count' && aggregate !== 'Sum') throw new RuleError('AggregateOn must be Count or Sum.');
  if (aggregate === 'Sum' && typeof c?.ValueOf !== 'string')
    throw new RuleError('Contribution.ValueOf is required when AggregateOn is Sum.');
  const filters = (c?.Filters ?? []) as Rule['filters'];
  if (!Array.isArray(filters) || filters.length > 4) throw new RuleError('Contribution.Filters may list up to four filters.');
  for (const f of filters) {
    if (typeof f?.Match !== 'string') throw new RuleError('Each filter needs a Match field.');
    const ops = Object.keys(f).filter((k) => k !== 'Match');
    if (ops.length !== 1 || !OPS.includes(ops[0])) throw new RuleError(`Each filter needs exactly one of ${OPS.join(', ')}.`);
  }
  const fields = (d.Fields ?? {}) as Record<string, string>;
  if (format === 'CLF' && typeof fields !== 'object') throw new RuleError('Fields must map positions to names.');
  return {
    groups: groups as string[],
    format,
    fields,
    keys: keys as string[],
    valueOf: c?.ValueOf as string | undefined,
    filters,
    aggregate,
  };
}

/** Splits a Common Log Format line: spaces separate fields, "…" and […] keep theirs. */
export function clfFields(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|\[([^\]]*)\]|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** A field's value in an event ($.a.b for JSON; a name from Fields, or its position, for CLF). */
function field(rule: Rule, event: unknown, name: string): unknown {
  if (rule.format === 'CLF') {
    const parts = event as string[];
    const pos = Object.entries(rule.fields).find(([, v]) => v === name)?.[0] ?? name;
    return parts[Number(pos) - 1];
  }
  let v: unknown = event;
  for (const p of name
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean))
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function passes(rule: Rule, event: unknown): boolean {
  return rule.filters.every((f) => {
    const v = field(rule, event, f.Match);
    if ('IsPresent' in f) return (v !== undefined) === f.IsPresent;
    if (v === undefined) return false;
    if ('In' in f) return (f.In as unknown[]).some((x) => String(x) === String(v));
    if ('NotIn' in f) return !(f.NotIn as unknown[]).some((x) => String(x) === String(v));
    if ('StartsWith' in f) return (f.StartsWith as string[]).some((x) => String(v).startsWith(x));
    if ('EqualTo' in f) return Number(v) === Number(f.EqualTo);
    if ('GreaterThan' in f) return Number(v) > Number(f.GreaterThan);
    return Number(v) < Number(f.LessThan);
  });
}

/** What an event contributes: its key tuple and value, or undefined when it does not match. */
export function contribution(rule: Rule, message: string): { keys: string[]; value: number } | undefined {
  let event: unknown;
  if (rule.format === 'CLF') event = clfFields(message);
  else {
    try {
      event = JSON.parse(message);
    } catch {
      return undefined;
    }
  }
  if (!passes(rule, event)) return undefined;
  const keys = rule.keys.map((k) => field(rule, event, k));
  if (keys.some((k) => k === undefined || (typeof k === 'object' && k !== null))) return undefined;
  const value = rule.aggregate === 'Count' ? 1 : Number(field(rule, event, rule.valueOf!));
  if (!Number.isFinite(value)) return undefined;
  return { keys: keys.map(String), value };
}
