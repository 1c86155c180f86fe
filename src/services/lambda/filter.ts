// Event filtering for event source mappings (FilterCriteria): the EventBridge pattern subset Lambda
// documents — exact values, prefix, suffix, numeric ranges, exists, anything-but, nested objects.
import { invalidValue } from './model.js';

type Pattern = Record<string, unknown>;

export function parsePatterns(filters: { Pattern?: string }[] | undefined): Pattern[] {
  return (filters ?? []).map((f) => {
    try {
      const p: unknown = JSON.parse(f.Pattern ?? '');
      if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new Error();
      return p as Pattern;
    } catch {
      throw invalidValue(`Invalid filter pattern definition: ${f.Pattern}`);
    }
  });
}

function matchValue(rule: unknown, value: unknown, present: boolean): boolean {
  if (rule === null || typeof rule !== 'object') return present && value === rule;
  const r = rule as Record<string, unknown>;
  if ('exists' in r) return r.exists === present;
  if (!present) return false;
  if ('prefix' in r) return typeof value === 'string' && value.startsWith(String(r.prefix));
  if ('suffix' in r) return typeof value === 'string' && value.endsWith(String(r.suffix));
  if ('equals-ignore-case' in r) return typeof value === 'string' && value.toLowerCase() === String(r['equals-ignore-case']).toLowerCase();
  if ('anything-but' in r) {
    const but = r['anything-but'];
    return Array.isArray(but) ? !but.includes(value) : value !== but;
  }
  if ('numeric' in r && typeof value === 'number') {
    const ops = r.numeric as (string | number)[];
    for (let i = 0; i + 1 < ops.length; i += 2) {
      const [op, n] = [ops[i], Number(ops[i + 1])];
      const ok =
        op === '='
          ? value === n
          : op === '<'
            ? value < n
            : op === '<='
              ? value <= n
              : op === '>'
                ? value > n
                : op === '>='
                  ? value >= n
                  : false;
      if (!ok) return false;
    }
    return true;
  }
  return false;
}

/** Does `event` match one pattern (all its keys)? */
export function matches(pattern: Pattern, event: unknown): boolean {
  const obj = (event && typeof event === 'object' ? event : {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([k, rule]) => {
    const present = k in obj;
    const value = obj[k];
    if (Array.isArray(rule)) {
      const values = Array.isArray(value) ? value : [value];
      return rule.some((r) =>
        r !== null && typeof r === 'object' && 'exists' in r
          ? matchValue(r, value, present)
          : values.some((v) => matchValue(r, v, present)),
      );
    }
    if (rule && typeof rule === 'object') return present && matches(rule as Pattern, value);
    return false;
  });
}

/** No filters: everything passes; otherwise any one pattern must match. */
export const passes = (patterns: Pattern[], event: unknown) => !patterns.length || patterns.some((p) => matches(p, event));
