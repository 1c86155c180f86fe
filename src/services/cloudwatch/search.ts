// The search expression of SEARCH('…', stat, period): an optional schema `{Namespace,Dim1,Dim2}`
// (namespace and exactly these dimension names), then terms joined by AND (implied), OR and NOT with
// parentheses: `Name="value"` matches exactly, `Name:value` partially, a bare word or "phrase"
// partially against the namespace, metric name and dimension names and values. Pure.

export interface MetricId {
  namespace: string;
  name: string;
  dims: Array<{ Name: string; Value: string }>;
}

type Pred = (m: MetricId) => boolean;

export class SearchError extends Error {}

export function compileSearch(expr: string): Pred {
  let rest = expr.trim();
  let schema: Pred = () => true;
  if (rest.startsWith('{')) {
    const end = rest.indexOf('}');
    if (end < 0) throw new SearchError('Unbalanced braces in search expression');
    const parts = splitSchema(rest.slice(1, end));
    rest = rest.slice(end + 1);
    const [ns, ...dims] = parts;
    const want = [...dims].sort();
    schema = (m) =>
      m.namespace === ns &&
      m.dims.length === want.length &&
      m.dims
        .map((d) => d.Name)
        .sort()
        .every((d, i) => d === want[i]);
  }
  const toks = tokens(rest);
  let p = 0;
  const or = (): Pred => {
    let l = and();
    while (toks[p] === 'OR') {
      p++;
      const r = and();
      const a = l;
      l = (m) => a(m) || r(m);
    }
    return l;
  };
  const and = (): Pred => {
    let l = not();
    while (p < toks.length && toks[p] !== 'OR' && toks[p] !== ')') {
      if (toks[p] === 'AND') p++;
      const r = not();
      const a = l;
      l = (m) => a(m) && r(m);
    }
    return l;
  };
  const not = (): Pred => {
    if (toks[p] === 'NOT') {
      p++;
      const e = not();
      return (m) => !e(m);
    }
    if (toks[p] === '(') {
      p++;
      const e = or();
      if (toks[p++] !== ')') throw new SearchError('Unbalanced parentheses in search expression');
      return e;
    }
    const t = toks[p++];
    if (t === undefined || t === ')') throw new SearchError('Incomplete search expression');
    return term(t);
  };
  const body: Pred = toks.length ? or() : () => true;
  if (p < toks.length) throw new SearchError(`Unexpected '${toks[p]}' in search expression`);
  return (m) => schema(m) && body(m);
}

function splitSchema(s: string): string[] {
  const out: string[] = [];
  for (const raw of s.match(/"(?:[^"\\]|\\.)*"|[^,]+/g) ?? []) out.push(unquote(raw.trim()));
  return out;
}
const unquote = (s: string) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s);

function tokens(s: string): string[] {
  return s.match(/"(?:[^"\\]|\\.)*"|[()]|[^\s()"=:]+(?:[=:](?:"(?:[^"\\]|\\.)*"|[^\s()"]+))?/g) ?? [];
}

function term(t: string): Pred {
  const m = /^([^=:"]+)([=:])(.*)$/.exec(t);
  if (!m) {
    const word = unquote(t).toLowerCase();
    return (x) => [x.namespace, x.name, ...x.dims.flatMap((d) => [d.Name, d.Value])].some((v) => v.toLowerCase().includes(word));
  }
  const [, key, op, rawValue] = m;
  const value = unquote(rawValue);
  const match = (v: string | undefined) => v !== undefined && (op === '=' ? v === value : v.toLowerCase().includes(value.toLowerCase()));
  if (key === 'MetricName') return (x) => match(x.name);
  if (key === 'Namespace') return (x) => match(x.namespace);
  return (x) => match(x.dims.find((d) => d.Name === key)?.Value);
}
