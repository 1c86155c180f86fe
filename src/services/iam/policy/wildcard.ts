// IAM's string patterns: `*` (any run of characters) and `?` (one character), with policy
// variables (`${aws:username}`, `${*}`, `${aws:PrincipalTag/team, 'none'}`) resolved per request.
export type Keys = Record<string, string | string[] | undefined>;

export interface Pattern {
  /** true when the pattern matches the value; keys resolve variables (missing key: no match) */
  test(value: string, keys: Keys): boolean;
}

const VAR = /\$\{([^}]*)\}/g;
const escape = (s: string) => s.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
const globToRegex = (s: string) => escape(s).replace(/\*/g, '.*').replace(/\?/g, '.');

function literal(p: string, ci: boolean): Pattern {
  const v = ci ? p.toLowerCase() : p;
  return { test: (s) => (ci ? s.toLowerCase() : s) === v };
}

/** A single value of a key: the first of a multi-valued one. */
export function keyValue(keys: Keys, name: string): string | undefined {
  const v = keys[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Replaces policy variables; undefined when one names a missing key without a default. */
export function substitute(p: string, keys: Keys, glob: boolean): string | undefined {
  let missing = false;
  const out = p.replace(VAR, (_m, body: string) => {
    const t = body.trim();
    if (t === '*' || t === '?' || t === '$') return glob && t !== '$' ? `\u0000${t}` : t;
    const d = /^(.*?)\s*,\s*'(.*)'$/.exec(t);
    const v = keyValue(keys, d ? d[1] : t) ?? d?.[2];
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

/**
 * Compiles a pattern once: a literal compares strings; a glob is a regex; a pattern with variables
 * is substituted per request (the substituted text matches literally, `${*}` stays a literal star).
 */
export function compilePattern(p: string, opts: { ci?: boolean; glob?: boolean; vars?: boolean } = {}): Pattern {
  const ci = opts.ci ?? false;
  const glob = opts.glob ?? true;
  if (opts.vars && p.includes('${')) {
    return {
      test(s, keys) {
        const sub = substitute(p, keys, glob);
        if (sub === undefined) return false;
        if (!glob) return (ci ? sub.toLowerCase() : sub) === (ci ? s.toLowerCase() : s);
        // variable values are matched literally: escape them, keep the pattern's own wildcards
        // eslint-disable-next-line no-control-regex -- NUL marks a wildcard a variable's value must not become
        const parts = sub.split(/(\u0000[*?])/);
        const src = parts.map((x) => (x === '\u0000*' ? '\\*' : x === '\u0000?' ? '\\?' : globToRegex(x))).join('');
        return new RegExp(`^${src}$`, ci ? 'is' : 's').test(s);
      },
    };
  }
  if (!glob || !/[*?]/.test(p)) return literal(p, ci);
  if (p === '*') return { test: () => true };
  const re = new RegExp(`^${globToRegex(p)}$`, ci ? 'is' : 's');
  return { test: (s) => re.test(s) };
}
