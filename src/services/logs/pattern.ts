// The CloudWatch Logs filter pattern language (FilterLogEvents, metric and subscription filters,
// TestMetricFilter): terms and quoted phrases with `-` exclusions and `?` alternatives, %regex%,
// JSON patterns `{ $.level = "error" && $.ms > 100 }` and space-delimited `[ip, user, ..., status = 5*]`.
// A compiled pattern returns the values it extracted (empty for terms) when a message matches, else null.

export class PatternError extends Error {}

export type Matcher = (message: string) => Record<string, string> | null;

type Value = { kind: 'num'; n: number } | { kind: 'str'; s: string } | { kind: 'regex'; re: RegExp };
type Op = '=' | '!=' | '<' | '>' | '<=' | '>=';

export function compilePattern(text: string): Matcher {
  const t = text.trim();
  if (t === '') return () => ({});
  if (t.startsWith('{')) {
    if (!t.endsWith('}')) throw new PatternError(`unbalanced braces in '${text}'`);
    return compileJson(t.slice(1, -1));
  }
  if (t.startsWith('[')) {
    if (!t.endsWith(']')) throw new PatternError(`unbalanced brackets in '${text}'`);
    return compileDelimited(t.slice(1, -1));
  }
  return compileTerms(t);
}

// ---- tokens shared by the three forms

interface Tok {
  type: 'str' | 'word' | 'op' | 'lp' | 'rp' | 'and' | 'or' | 'regex' | 'comma';
  v: string;
}

function tokenize(src: string, commas = false): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        s += src[i++];
      }
      if (i >= src.length) throw new PatternError('unterminated quoted string');
      i++;
      out.push({ type: 'str', v: s });
      continue;
    }
    if (c === '%') {
      const end = src.indexOf('%', i + 1);
      if (end < 0) throw new PatternError('unterminated regular expression');
      out.push({ type: 'regex', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    if (c === '(') {
      out.push({ type: 'lp', v: c });
      i++;
      continue;
    }
    if (c === ')') {
      out.push({ type: 'rp', v: c });
      i++;
      continue;
    }
    if (commas && c === ',') {
      out.push({ type: 'comma', v: c });
      i++;
      continue;
    }
    if (src.startsWith('&&', i)) {
      out.push({ type: 'and', v: '&&' });
      i += 2;
      continue;
    }
    if (src.startsWith('||', i)) {
      out.push({ type: 'or', v: '||' });
      i += 2;
      continue;
    }
    const op = /^(!=|<=|>=|=|<|>)/.exec(src.slice(i));
    if (op) {
      out.push({ type: 'op', v: op[1] });
      i += op[1].length;
      continue;
    }
    let w = '';
    while (i < src.length && !/[\s()"=<>!&|]/.test(src[i]) && !(commas && src[i] === ',')) w += src[i++];
    if (!w) throw new PatternError(`unexpected character '${src[i]}'`);
    out.push({ type: 'word', v: w });
  }
  return out;
}

function regex(src: string): RegExp {
  try {
    return new RegExp(src);
  } catch {
    throw new PatternError(`invalid regular expression %${src}%`);
  }
}

const globRe = (s: string) =>
  new RegExp(
    '^' +
      s
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
    's',
  );

function toValue(tok: Tok | undefined): Value {
  if (!tok) throw new PatternError('a value is missing after the operator');
  if (tok.type === 'regex') return { kind: 'regex', re: regex(tok.v) };
  if (tok.type === 'word' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(tok.v)) return { kind: 'num', n: Number(tok.v) };
  if (tok.type === 'word' || tok.type === 'str') return { kind: 'str', s: tok.v };
  throw new PatternError(`unexpected '${tok.v}' where a value belongs`);
}

function compare(actual: unknown, op: Op, want: Value): boolean {
  if (actual === undefined || actual === null || typeof actual === 'object') return false;
  if (want.kind === 'num') {
    const n = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
    if (Number.isNaN(n)) return false;
    switch (op) {
      case '=':
        return n === want.n;
      case '!=':
        return n !== want.n;
      case '<':
        return n < want.n;
      case '>':
        return n > want.n;
      case '<=':
        return n <= want.n;
      case '>=':
        return n >= want.n;
    }
  }
  if (op !== '=' && op !== '!=') throw new PatternError(`the operator ${op} compares numbers only`);
  const s = String(actual);
  const hit = want.kind === 'regex' ? want.re.test(s) : want.s.includes('*') ? globRe(want.s).test(s) : s === want.s;
  return op === '=' ? hit : !hit;
}

// ---- boolean expressions (JSON patterns, delimited field conditions)

type Expr = (get: (name: string) => unknown) => boolean;

class ExprParser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly selector: (tok: Tok) => string,
  ) {}

  parse(): Expr {
    const e = this.or();
    if (this.i < this.toks.length) throw new PatternError(`unexpected '${this.toks[this.i].v}'`);
    return e;
  }

  private or(): Expr {
    const parts = [this.and()];
    while (this.toks[this.i]?.type === 'or') {
      this.i++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0] : (get) => parts.some((p) => p(get));
  }

  private and(): Expr {
    const parts = [this.unary()];
    while (this.toks[this.i]?.type === 'and') {
      this.i++;
      parts.push(this.unary());
    }
    return parts.length === 1 ? parts[0] : (get) => parts.every((p) => p(get));
  }

  private unary(): Expr {
    const tok = this.toks[this.i++];
    if (!tok) throw new PatternError('the expression ends too early');
    if (tok.type === 'lp') {
      const e = this.or();
      if (this.toks[this.i++]?.type !== 'rp') throw new PatternError('missing )');
      return e;
    }
    const name = this.selector(tok);
    const next = this.toks[this.i++];
    if (next?.type === 'op') {
      const op = next.v as Op;
      const want = toValue(this.toks[this.i++]);
      if (want.kind !== 'num' && op !== '=' && op !== '!=') throw new PatternError(`the operator ${op} compares numbers only`);
      return (get) => compare(get(name), op, want);
    }
    const kw = (t: Tok | undefined) => (t?.type === 'word' ? t.v.toUpperCase() : '');
    if (kw(next) === 'IS') {
      const what = kw(this.toks[this.i++]);
      if (what === 'NULL') return (get) => get(name) === null;
      if (what === 'TRUE') return (get) => get(name) === true;
      if (what === 'FALSE') return (get) => get(name) === false;
      throw new PatternError('IS must be followed by NULL, TRUE or FALSE');
    }
    if (kw(next) === 'NOT' && kw(this.toks[this.i++]) === 'EXISTS') return (get) => get(name) === undefined;
    throw new PatternError(`a comparison is missing after ${name}`);
  }
}

// ---- JSON patterns

type Step = string | number;

function parseSelector(sel: string): Step[] {
  if (!sel.startsWith('$')) throw new PatternError(`a JSON selector starts with $: '${sel}'`);
  const steps: Step[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/gy;
  re.lastIndex = 1;
  let m: RegExpExecArray | null;
  while (re.lastIndex < sel.length && (m = re.exec(sel))) steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
  if (re.lastIndex !== sel.length || !steps.length) throw new PatternError(`invalid JSON selector '${sel}'`);
  return steps;
}

function select(doc: unknown, steps: Step[]): unknown {
  let cur: unknown = doc;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (typeof s === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[s];
    } else {
      if (Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, s)) return undefined;
      cur = (cur as Record<string, unknown>)[s];
    }
  }
  return cur;
}

function compileJson(body: string): Matcher {
  const selectors = new Map<string, Step[]>();
  const expr = new ExprParser(tokenize(body), (tok) => {
    if (tok.type !== 'word') throw new PatternError(`expected a $. selector, found '${tok.v}'`);
    selectors.set(tok.v, parseSelector(tok.v));
    return tok.v;
  }).parse();
  return (message) => {
    const start = message.indexOf('{');
    if (start < 0) return null;
    let doc: unknown;
    try {
      doc = JSON.parse(message.slice(start));
    } catch {
      return null;
    }
    return expr((name) => select(doc, selectors.get(name)!)) ? {} : null;
  };
}

// ---- space-delimited patterns

interface Field {
  ellipsis: boolean;
  name?: string;
  cond?: Expr;
}

/** A message's fields: space separated, "quoted" and [bracketed] runs kept whole (without their marks). */
export function splitFields(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < message.length) {
    const c = message[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const close = c === '"' ? '"' : c === '[' ? ']' : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        out.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < message.length && message[j] !== ' ' && message[j] !== '\t') j++;
    out.push(message.slice(i, j));
    i = j;
  }
  return out;
}

function compileDelimited(body: string): Matcher {
  const toks = tokenize(body, true);
  const groups: Tok[][] = [[]];
  for (const t of toks) {
    if (t.type === 'comma') groups.push([]);
    else groups[groups.length - 1].push(t);
  }
  const fields: Field[] = groups.map((g) => {
    if (!g.length) throw new PatternError('an empty field in a space-delimited pattern');
    if (g.length === 1 && g[0].type === 'word' && g[0].v === '...') return { ellipsis: true };
    if (g[0].type !== 'word') throw new PatternError(`a field name is expected, found '${g[0].v}'`);
    const name = g[0].v;
    if (g.length === 1) return { ellipsis: false, name };
    const cond = new ExprParser(g, (tok) => {
      if (tok.type !== 'word') throw new PatternError(`a field name is expected, found '${tok.v}'`);
      return tok.v;
    }).parse();
    return { ellipsis: false, name, cond };
  });
  const conds = fields.filter((f) => f.cond).map((f) => f.cond!);
  return (message) => {
    const values = splitFields(message);
    for (const named of align(fields, values, 0, 0, {})) {
      const get = (n: string) => named[n];
      if (conds.every((c) => c(get))) {
        return Object.fromEntries(Object.entries(named).map(([k, v]) => [`$${k}`, v]));
      }
    }
    return null;
  };
}

/** every way the pattern's fields cover the message's fields (an ellipsis takes any number) */
function* align(
  fields: Field[],
  values: string[],
  fi: number,
  vi: number,
  named: Record<string, string>,
): Generator<Record<string, string>> {
  if (fi === fields.length) {
    if (vi === values.length) yield named;
    return;
  }
  const f = fields[fi];
  if (f.ellipsis) {
    for (let k = values.length; k >= vi; k--) yield* align(fields, values, fi + 1, k, named);
    return;
  }
  if (vi >= values.length) return;
  yield* align(fields, values, fi + 1, vi + 1, f.name ? { ...named, [f.name]: values[vi] } : named);
}

// ---- terms

function compileTerms(text: string): Matcher {
  const must: ((m: string) => boolean)[] = [];
  const not: ((m: string) => boolean)[] = [];
  const any: ((m: string) => boolean)[] = [];
  // a leading - or ? belongs to the term that follows it (also to a quoted phrase)
  for (const { mark, tok } of tokenizeTerms(text)) {
    const test =
      tok.type === 'regex'
        ? (
            (re) => (m: string) =>
              re.test(m)
          )(regex(tok.v))
        : (m: string) => m.includes(tok.v);
    (mark === '-' ? not : mark === '?' ? any : must).push(test);
  }
  return (m) => (must.every((t) => t(m)) && !not.some((t) => t(m)) && (!any.length || any.some((t) => t(m))) ? {} : null);
}

function* tokenizeTerms(text: string): Generator<{ mark: string; tok: Tok }> {
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    let mark = '';
    if ((text[i] === '-' || text[i] === '?') && i + 1 < text.length && !/\s/.test(text[i + 1])) mark = text[i++];
    if (text[i] === '"' || text[i] === '%') {
      const close = text[i];
      let s = '';
      let j = i + 1;
      while (j < text.length && text[j] !== close) {
        if (close === '"' && text[j] === '\\' && j + 1 < text.length) j++;
        s += text[j++];
      }
      if (j >= text.length) throw new PatternError(close === '"' ? 'unterminated quoted string' : 'unterminated regular expression');
      yield { mark, tok: { type: close === '"' ? 'str' : 'regex', v: s } };
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text[j])) j++;
    const w = text.slice(i, j);
    if (/["{}[\]]/.test(w)) throw new PatternError(`Invalid character(s) in term '${w}'`);
    yield { mark, tok: { type: 'word', v: w } };
    i = j;
  }
}
