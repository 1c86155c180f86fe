// The metric math expression language, parsed: numbers, metric ids, strings, + - * / ^, comparisons
// (== != < <= > >=), AND/&& and OR/||, parentheses, arrays [a, b] and function calls
// (SUM(m1), FILL(m1, REPEAT), SEARCH('…', 'Average', 300)). Pure; errors are MathError with the text
// CloudWatch reports.

export type Node =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'id'; name: string }
  | { t: 'neg'; e: Node }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'arr'; items: Node[] }
  | { t: 'call'; fn: string; args: Node[] };

export class MathError extends Error {}

interface Tok {
  k: 'num' | 'str' | 'id' | 'op' | 'end';
  v: string;
  at: number;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ k: 'num', v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0], at: i });
      i += id[0].length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== ch) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        s += src[j++];
      }
      if (j >= src.length) throw new MathError(`Unterminated string at position ${i + 1}`);
      out.push({ k: 'str', v: s, at: i });
      i = j + 1;
      continue;
    }
    const op = /^(==|!=|<=|>=|&&|\|\||[-+*/^<>(),[\]])/.exec(src.slice(i));
    if (op) {
      out.push({ k: 'op', v: op[0], at: i });
      i += op[0].length;
      continue;
    }
    throw new MathError(`Unrecognized token '${ch}' at position ${i + 1}`);
  }
  out.push({ k: 'end', v: '', at: src.length });
  return out;
}

const LEVELS: string[][] = [['OR', '||'], ['AND', '&&'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-'], ['*', '/'], ['^']];

export function parseExpression(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (t: Tok, ops: string[]) => (t.k === 'op' || (t.k === 'id' && (t.v === 'AND' || t.v === 'OR'))) && ops.includes(t.v);
  const expect = (v: string) => {
    const t = toks[p];
    if (t.k !== 'op' || t.v !== v)
      throw new MathError(
        t.k === 'end' ? `Expected '${v}' at end of expression` : `Unexpected '${t.v}' at position ${t.at + 1}, expected '${v}'`,
      );
    p++;
  };
  const level = (n: number): Node => {
    if (n === LEVELS.length) return unary();
    let l = level(n + 1);
    while (isOp(peek(), LEVELS[n])) {
      const op = toks[p++].v;
      const norm = op === '&&' ? 'AND' : op === '||' ? 'OR' : op;
      // ^ is right-associative
      const r = op === '^' ? level(n) : level(n + 1);
      l = { t: 'bin', op: norm, l, r };
      if (op === '^') break;
    }
    return l;
  };
  const unary = (): Node => {
    const t = peek();
    if (t.k === 'op' && t.v === '-') {
      p++;
      return { t: 'neg', e: unary() };
    }
    if (t.k === 'op' && t.v === '+') {
      p++;
      return unary();
    }
    return primary();
  };
  const primary = (): Node => {
    const t = toks[p++];
    if (t.k === 'num') return { t: 'num', v: Number(t.v) };
    if (t.k === 'str') return { t: 'str', v: t.v };
    if (t.k === 'id') {
      if (peek().k === 'op' && peek().v === '(') {
        p++;
        const args: Node[] = [];
        if (!(peek().k === 'op' && peek().v === ')')) {
          args.push(level(0));
          while (peek().k === 'op' && peek().v === ',') {
            p++;
            args.push(level(0));
          }
        }
        expect(')');
        return { t: 'call', fn: t.v.toUpperCase(), args };
      }
      return { t: 'id', name: t.v };
    }
    if (t.k === 'op' && t.v === '(') {
      const e = level(0);
      expect(')');
      return e;
    }
    if (t.k === 'op' && t.v === '[') {
      const items: Node[] = [];
      if (!(peek().k === 'op' && peek().v === ']')) {
        items.push(level(0));
        while (peek().k === 'op' && peek().v === ',') {
          p++;
          items.push(level(0));
        }
      }
      expect(']');
      return { t: 'arr', items };
    }
    throw new MathError(t.k === 'end' ? 'Unexpected end of expression' : `Unexpected '${t.v}' at position ${t.at + 1}`);
  };
  const node = level(0);
  if (peek().k !== 'end') throw new MathError(`Unexpected '${peek().v}' at position ${peek().at + 1}`);
  return node;
}

/** The metric ids an expression refers to (for dependency order and unknown-id errors). */
export function referencedIds(n: Node, out = new Set<string>()): Set<string> {
  switch (n.t) {
    case 'id':
      out.add(n.name);
      break;
    case 'neg':
      referencedIds(n.e, out);
      break;
    case 'bin':
      referencedIds(n.l, out);
      referencedIds(n.r, out);
      break;
    case 'arr':
      n.items.forEach((i) => referencedIds(i, out));
      break;
    case 'call':
      n.args.forEach((a) => referencedIds(a, out));
      break;
  }
  return out;
}
