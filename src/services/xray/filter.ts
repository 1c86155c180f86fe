// X-Ray filter expressions (GetTraceSummaries, groups): keywords (ok, error, fault, throttle,
// partial, responsetime, duration, http.status/url/method/useragent/clientip, user, annotation.key,
// annotation[key]), service(...) and id(...) with an optional { sub-expression } scoped to that
// service, edge("a", "b"), comparisons, AND / OR / NOT (also && || !) and parentheses.
import type { TraceView } from './analysis.js';

export class FilterError extends Error {}

export type Predicate = (v: TraceView) => boolean;
type Value = string | number | boolean;

interface Token {
  kind: 'word' | 'string' | 'number' | 'op' | 'punct';
  text: string;
  value?: Value;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        s += src[j++];
      }
      if (j >= src.length) throw new FilterError('unterminated string');
      out.push({ kind: 'string', text: s, value: s });
      i = j + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['!=', '<=', '>=', '&&', '||'].includes(two)) {
      out.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if ('=<>!'.includes(c)) {
      out.push({ kind: 'op', text: c });
      i++;
      continue;
    }
    if ('(){},:'.includes(c)) {
      out.push({ kind: 'punct', text: c });
      i++;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num && (c === '-' || /\d/.test(c))) {
      out.push({ kind: 'number', text: num[0], value: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][\w.]*(\[[^\]]*\])?/.exec(src.slice(i));
    if (!word) throw new FilterError(`unexpected character ${c}`);
    out.push({ kind: 'word', text: word[0] });
    i += word[0].length;
  }
  return out;
}

const COMPARE = new Set(['=', '!=', '<', '<=', '>', '>=']);
const STRING_OPS = new Set(['CONTAINS', 'BEGINSWITH', 'ENDSWITH']);

function compare(actual: Value | undefined, op: string, expected: Value): boolean {
  if (actual === undefined) return op === '!=' ? true : false;
  if (typeof expected === 'string' && typeof actual === 'string') {
    switch (op.toUpperCase()) {
      case '=':
        return actual === expected;
      case '!=':
        return actual !== expected;
      case 'CONTAINS':
        return actual.includes(expected);
      case 'BEGINSWITH':
        return actual.startsWith(expected);
      case 'ENDSWITH':
        return actual.endsWith(expected);
    }
    return false;
  }
  if (typeof expected === 'number' && typeof actual === 'number') {
    switch (op) {
      case '=':
        return actual === expected;
      case '!=':
        return actual !== expected;
      case '<':
        return actual < expected;
      case '<=':
        return actual <= expected;
      case '>':
        return actual > expected;
      case '>=':
        return actual >= expected;
    }
    return false;
  }
  if (op === '=') return actual === expected;
  if (op === '!=') return actual !== expected;
  return false;
}

class Parser {
  private i = 0;
  constructor(private readonly t: Token[]) {}

  parse(): Predicate {
    if (!this.t.length) throw new FilterError('empty expression');
    const p = this.or();
    if (this.i < this.t.length) throw new FilterError(`unexpected ${this.t[this.i].text}`);
    return p;
  }

  private peek(): Token | undefined {
    return this.t[this.i];
  }
  private next(): Token {
    const t = this.t[this.i++];
    if (!t) throw new FilterError('unexpected end of expression');
    return t;
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toUpperCase() === w;
  }
  private expect(text: string): void {
    const t = this.next();
    if (t.text !== text) throw new FilterError(`expected ${text}, found ${t.text}`);
  }

  private or(): Predicate {
    let left = this.and();
    while (this.isWord('OR') || this.peek()?.text === '||') {
      this.i++;
      const l = left;
      const r = this.and();
      left = (v) => l(v) || r(v);
    }
    return left;
  }
  private and(): Predicate {
    let left = this.not();
    while (this.isWord('AND') || this.peek()?.text === '&&') {
      this.i++;
      const l = left;
      const r = this.not();
      left = (v) => l(v) && r(v);
    }
    return left;
  }
  private not(): Predicate {
    if (this.isWord('NOT') || this.peek()?.text === '!') {
      this.i++;
      const p = this.not();
      return (v) => !p(v);
    }
    return this.primary();
  }

  private primary(): Predicate {
    const t = this.next();
    if (t.text === '(') {
      const p = this.or();
      this.expect(')');
      return p;
    }
    if (t.kind !== 'word') throw new FilterError(`unexpected ${t.text}`);
    const word = t.text.toLowerCase();
    if (word === 'service' || word === 'id') return this.service(word === 'id');
    if (word === 'edge') return this.edge();
    return this.keyword(t.text);
  }

  /** service("name"), service(id(name: "x", type: "y")), id(name: "x"), each with an optional { filter } */
  private service(bare: boolean): Predicate {
    this.expect('(');
    let name: string | undefined;
    let type: string | undefined;
    if (bare || this.isWord('ID')) {
      if (!bare) {
        this.i++;
        this.expect('(');
      }
      while (this.peek()?.text !== ')') {
        const key = this.next().text.toLowerCase();
        this.expect(':');
        const val = this.next();
        if (val.kind !== 'string') throw new FilterError('id() takes strings');
        if (key === 'name') name = val.text;
        else if (key === 'type') type = val.text;
        else throw new FilterError(`unknown id field ${key}`);
        if (this.peek()?.text === ',') this.i++;
      }
      this.expect(')');
    } else if (this.peek()?.kind === 'string') {
      name = this.next().text;
    }
    if (!bare) this.expect(')');
    let inner: Predicate | undefined;
    if (this.peek()?.text === '{') {
      this.i++;
      inner = this.or();
      this.expect('}');
    }
    const matches = (v: TraceView) =>
      v.services.some((s) => (name === undefined || s.Name === name) && (type === undefined || s.Type === type));
    return (v) => matches(v) && (!inner || (name !== undefined && inner(v.of(name, type))));
  }

  private edge(): Predicate {
    this.expect('(');
    const a = this.next();
    this.expect(',');
    const b = this.next();
    this.expect(')');
    if (a.kind !== 'string' || b.kind !== 'string') throw new FilterError('edge() takes two service names');
    return (v) => v.edges.has(`${a.text}|${b.text}`);
  }

  private operand(): Value {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number') return t.value!;
    if (t.kind === 'word' && /^(true|false)$/i.test(t.text)) return t.text.toLowerCase() === 'true';
    throw new FilterError(`expected a value, found ${t.text}`);
  }

  /** A comparison after a keyword, or none (a bare boolean keyword). */
  private comparison(): { op: string; value: Value } | undefined {
    const t = this.peek();
    if (t?.kind === 'op' && COMPARE.has(t.text)) {
      this.i++;
      return { op: t.text, value: this.operand() };
    }
    if (t?.kind === 'word' && STRING_OPS.has(t.text.toUpperCase())) {
      this.i++;
      const value = this.operand();
      if (typeof value !== 'string') throw new FilterError(`${t.text} takes a string`);
      return { op: t.text.toUpperCase(), value };
    }
    return undefined;
  }

  private keyword(text: string): Predicate {
    const lower = text.toLowerCase();
    const ann = /^annotation(?:\.(.+)|\[(.+)\])$/i.exec(text);
    const cmp = this.comparison();
    if (ann) {
      const key = ann[1] ?? ann[2];
      if (!cmp) return (v) => v.annotations.has(key);
      return (v) => (v.annotations.get(key) ?? []).some((a) => compare(a, cmp.op, cmp.value));
    }
    const flags: Record<string, (v: TraceView) => boolean> = {
      ok: (v) => !v.error && !v.fault && !v.throttle,
      error: (v) => v.error,
      fault: (v) => v.fault,
      throttle: (v) => v.throttle,
      partial: (v) => v.partial,
    };
    if (flags[lower]) {
      const f = flags[lower];
      if (!cmp) return f;
      if (typeof cmp.value !== 'boolean' || (cmp.op !== '=' && cmp.op !== '!='))
        throw new FilterError(`${text} compares with true or false`);
      return (v) => (f(v) === cmp.value) === (cmp.op === '=');
    }
    const numbers: Record<string, (v: TraceView) => number | undefined> = {
      responsetime: (v) => v.responsetime,
      duration: (v) => v.duration,
      'http.status': (v) => v.http.status,
    };
    const strings: Record<string, (v: TraceView) => string | undefined> = {
      'http.url': (v) => v.http.url,
      'http.method': (v) => v.http.method,
      'http.useragent': (v) => v.http.useragent,
      'http.clientip': (v) => v.http.clientip,
    };
    if (numbers[lower]) {
      if (!cmp || typeof cmp.value !== 'number') throw new FilterError(`${text} compares with a number`);
      const get = numbers[lower];
      return (v) => compare(get(v), cmp.op, cmp.value);
    }
    if (strings[lower]) {
      if (!cmp || typeof cmp.value !== 'string') throw new FilterError(`${text} compares with a string`);
      const get = strings[lower];
      return (v) => compare(get(v), cmp.op, cmp.value);
    }
    if (lower === 'user') {
      if (!cmp || typeof cmp.value !== 'string') throw new FilterError('user compares with a string');
      return (v) => v.users.some((u) => compare(u, cmp.op, cmp.value));
    }
    throw new FilterError(`unknown keyword ${text}`);
  }
}

/** Parses a filter expression; throws FilterError when X-Ray would refuse it. */
export function parseFilter(expr: string): Predicate {
  return new Parser(tokenize(expr)).parse();
}
