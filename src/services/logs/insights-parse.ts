// The Logs Insights query language, parsed: commands joined by `|` — fields, display, filter, parse
// (glob or regex), sort, limit, stats (count/sum/avg/min/max/… by fields and bin()). Errors are
// QueryError with the position; the handlers answer them as MalformedQueryException.

export class QueryError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'regex'; v: RegExp }
  | { k: 'dur'; ms: number }
  | { k: 'field'; name: string }
  | { k: 'star' }
  | { k: 'call'; fn: string; args: Expr[] }
  | { k: 'un'; op: 'not' | '-'; e: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'like'; e: Expr; pat: Expr; neg: boolean }
  | { k: 'in'; e: Expr; list: Expr[]; neg: boolean };

export interface Named {
  e: Expr;
  /** the result column: the alias, or the expression's text */
  name: string;
}

export type Command =
  | { cmd: 'fields' | 'display'; items: Named[] }
  | { cmd: 'filter'; e: Expr }
  | { cmd: 'parse'; source: Expr; re: RegExp; names: string[] }
  | { cmd: 'sort'; keys: { e: Expr; desc: boolean }[] }
  | { cmd: 'limit'; n: number }
  | { cmd: 'stats'; aggs: Named[]; by: Named[] }
  | { cmd: 'dedup'; fields: Expr[] };

interface Tok {
  t: 'num' | 'str' | 'regex' | 'dur' | 'id' | 'op' | 'pipe' | 'end';
  v: string;
  pos: number;
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  mo: 2_592_000_000,
  q: 7_776_000_000,
  y: 31_536_000_000,
};

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new QueryError(msg, i, i + 1);
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '"' || c === "'" || c === '`' || c === '/') {
      // a slash starts a regex only where a value is expected (after like, =~, or an operator)
      const prev = out[out.length - 1];
      const afterParse =
        prev && (prev.v.toLowerCase() === 'parse' || (prev.t === 'id' && out[out.length - 2]?.v.toLowerCase() === 'parse'));
      if (c === '/' && !afterParse && !(prev && /^(like|=~|\(|,|=|!=)$/i.test(prev.v))) {
        out.push({ t: 'op', v: '/', pos });
        i++;
        continue;
      }
      let s = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length && c !== '/') {
          i++;
        } else if (src[i] === '\\' && c === '/' && src[i + 1] === '/') {
          i++;
        }
        s += src[i++];
      }
      if (i >= src.length) fail(`unterminated ${c === '/' ? 'regular expression' : 'string'} at position ${pos}`);
      i++;
      let flags = '';
      if (c === '/') while (/[imsu]/.test(src[i] ?? '')) flags += src[i++];
      out.push({ t: c === '`' ? 'id' : c === '/' ? 'regex' : 'str', v: c === '/' ? `${flags}\u0000${s}` : s, pos });
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      i += num[0].length;
      const unit = /^[a-z]+/.exec(src.slice(i));
      if (unit && UNITS[unit[0]] !== undefined) {
        i += unit[0].length;
        out.push({ t: 'dur', v: String(Number(num[0]) * UNITS[unit[0]]), pos });
      } else out.push({ t: 'num', v: num[0], pos });
      continue;
    }
    const id = /^[A-Za-z_@$][\w@$.]*(?<!\.)/.exec(src.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0], pos });
      i += id[0].length;
      continue;
    }
    const op = /^(=~|!=|<=|>=|==|[=<>+\-*/%(),[\]|])/.exec(src.slice(i));
    if (!op) fail(`unexpected symbol found ${c} at line 1 and position ${pos}`);
    out.push({ t: op![1] === '|' ? 'pipe' : 'op', v: op![1], pos });
    i += op![1].length;
  }
  out.push({ t: 'end', v: '', pos: src.length });
  return out;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc']);

export function parseQuery(src: string): Command[] {
  const toks = lex(src);
  let i = 0;
  const peek = () => toks[i];
  const is = (v: string) => toks[i].t !== 'str' && toks[i].t !== 'regex' && toks[i].v.toLowerCase() === v;
  const fail = (msg?: string): never => {
    const t = toks[i];
    throw new QueryError(
      msg ?? (t.t === 'end' ? 'unexpected end of query' : `unexpected symbol found ${t.v} at line 1 and position ${t.pos}`),
      t.pos,
      t.pos + Math.max(1, t.v.length),
    );
  };
  const expect = (v: string) => (is(v) ? toks[i++] : fail());
  const text = (from: number, to: number) =>
    src.slice(toks[from].pos, toks[to - 1].pos + (toks[to - 1].t === 'str' ? toks[to - 1].v.length + 2 : toks[to - 1].v.length)).trim();

  function expr(): Expr {
    let l = and();
    while (is('or')) {
      i++;
      l = { k: 'bin', op: 'or', l, r: and() };
    }
    return l;
  }
  function and(): Expr {
    let l = not();
    while (is('and')) {
      i++;
      l = { k: 'bin', op: 'and', l, r: not() };
    }
    return l;
  }
  function not(): Expr {
    if (is('not')) {
      i++;
      return { k: 'un', op: 'not', e: not() };
    }
    return cmp();
  }
  function cmp(): Expr {
    const l = add();
    const neg = is('not') && (toks[i + 1].v.toLowerCase() === 'like' || toks[i + 1].v.toLowerCase() === 'in');
    if (neg) i++;
    if (is('like') || is('=~')) {
      i++;
      const p = peek();
      if (p.t !== 'regex' && p.t !== 'str') fail();
      return { k: 'like', e: l, pat: primary(), neg };
    }
    if (is('in')) {
      i++;
      expect('[');
      const list: Expr[] = [];
      if (!is(']')) {
        do list.push(add());
        while (is(',') && ++i);
      }
      expect(']');
      return { k: 'in', e: l, list, neg };
    }
    if (peek().t === 'op' && ['=', '==', '!=', '<', '>', '<=', '>='].includes(peek().v)) {
      const op = toks[i++].v;
      return { k: 'bin', op: op === '==' ? '=' : op, l, r: add() };
    }
    return l;
  }
  function add(): Expr {
    let l = mul();
    while (peek().t === 'op' && (peek().v === '+' || peek().v === '-')) {
      const op = toks[i++].v;
      l = { k: 'bin', op, l, r: mul() };
    }
    return l;
  }
  function mul(): Expr {
    let l = primary();
    while (peek().t === 'op' && ['*', '/', '%'].includes(peek().v)) {
      const op = toks[i++].v;
      l = { k: 'bin', op, l, r: primary() };
    }
    return l;
  }
  function primary(): Expr {
    const t = toks[i++];
    switch (t.t) {
      case 'num':
        return { k: 'num', v: Number(t.v) };
      case 'str':
        return { k: 'str', v: t.v };
      case 'dur':
        return { k: 'dur', ms: Number(t.v) };
      case 'regex': {
        const [flags, body] = t.v.split('\u0000');
        try {
          return { k: 'regex', v: new RegExp(body, flags) };
        } catch {
          i--;
          return fail(`invalid regular expression /${body}/`);
        }
      }
      case 'id': {
        if (KEYWORDS.has(t.v.toLowerCase()) && src[t.pos] !== '`') {
          i--;
          return fail();
        }
        if (is('(')) {
          i++;
          const args: Expr[] = [];
          if (!is(')')) {
            do args.push(peek().v === '*' ? (i++, { k: 'star' as const }) : expr());
            while (is(',') && ++i);
          }
          expect(')');
          return { k: 'call', fn: t.v.toLowerCase(), args };
        }
        return { k: 'field', name: t.v };
      }
      case 'op':
        if (t.v === '(') {
          const e = expr();
          expect(')');
          return e;
        }
        if (t.v === '-') return { k: 'un', op: '-', e: primary() };
        break;
    }
    i--;
    return fail();
  }
  function named(): Named {
    const from = i;
    const e = expr();
    const to = i;
    if (is('as')) {
      i++;
      const alias = toks[i++];
      if (alias.t !== 'id') {
        i--;
        fail();
      }
      return { e, name: alias.v };
    }
    return { e, name: e.k === 'field' ? e.name : text(from, to) };
  }
  function list<T>(item: () => T): T[] {
    const out = [item()];
    while (is(',')) {
      i++;
      out.push(item());
    }
    return out;
  }

  const commands: Command[] = [];
  for (;;) {
    const head = toks[i++];
    if (head.t !== 'id') {
      i--;
      fail();
    }
    switch (head.v.toLowerCase()) {
      case 'fields':
      case 'display':
        commands.push({ cmd: head.v.toLowerCase() as 'fields', items: list(named) });
        break;
      case 'filter':
        commands.push({ cmd: 'filter', e: expr() });
        break;
      case 'parse': {
        const source = peek().t === 'id' && !['as'].includes(peek().v) ? primary() : ({ k: 'field', name: '@message' } as Expr);
        const p = toks[i++];
        if (p.t === 'regex') {
          const [flags, body] = p.v.split('\u0000');
          let re: RegExp;
          try {
            re = new RegExp(body, flags);
          } catch {
            i--;
            return fail(`invalid regular expression /${body}/`);
          }
          const names = [...body.matchAll(/\(\?<([A-Za-z_]\w*)>/g)].map((m) => m[1]);
          if (!names.length) {
            i--;
            fail('a parse regular expression names its fields with (?<name>…)');
          }
          commands.push({ cmd: 'parse', source, re, names });
        } else if (p.t === 'str') {
          expect('as');
          const names = list(() => {
            const t = toks[i++];
            return t.t === 'id' ? t.v : (i--, fail());
          });
          const stars = p.v.split('*').length - 1;
          if (stars !== names.length) {
            i--;
            fail(`the parse pattern has ${stars} wildcards but ${names.length} fields`);
          }
          const re = new RegExp(
            p.v
              .split('*')
              .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
              .join('(.*?)') + (p.v.endsWith('*') ? '$' : ''),
            's',
          );
          commands.push({ cmd: 'parse', source, re, names });
        } else {
          i--;
          fail();
        }
        break;
      }
      case 'sort':
        commands.push({
          cmd: 'sort',
          keys: list(() => {
            const e = expr();
            const desc = is('desc') ? (i++, true) : is('asc') ? (i++, false) : false;
            return { e, desc };
          }),
        });
        break;
      case 'limit': {
        const n = toks[i++];
        if (n.t !== 'num' || !Number.isInteger(Number(n.v)) || Number(n.v) < 1 || Number(n.v) > 10_000) {
          i--;
          fail('limit takes a whole number from 1 to 10000');
        }
        commands.push({ cmd: 'limit', n: Number(n.v) });
        break;
      }
      case 'stats': {
        const aggs = list(named);
        const by = is('by') ? (i++, list(named)) : [];
        commands.push({ cmd: 'stats', aggs, by });
        break;
      }
      case 'dedup':
        commands.push({ cmd: 'dedup', fields: list(expr) });
        break;
      default:
        i--;
        fail(`unexpected symbol found ${head.v} at line 1 and position ${head.pos}`);
    }
    if (peek().t === 'end') return commands;
    if (peek().t !== 'pipe') fail();
    i++;
  }
}
