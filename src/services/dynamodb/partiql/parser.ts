// PartiQL for DynamoDB: SELECT, INSERT, UPDATE and DELETE statements parsed into the same
// condition and update trees the expression languages use, literals and ? parameters as values.
import type { Comparator, Condition, Operand, Path, UpdateAction } from '../expressions/ast.js';
import { invalid, normaliseValue, type Item, type Value } from '../values.js';
import { normaliseNumber } from '../numbers.js';

export type Statement =
  | { k: 'select'; table: string; index?: string; paths?: Path[]; where?: Condition }
  | { k: 'insert'; table: string; item: Item }
  | { k: 'update'; table: string; actions: UpdateAction[]; where?: Condition }
  | { k: 'delete'; table: string; where?: Condition };

type Tok = { t: 'id' | 'qid' | 'str' | 'num' | 'op' | 'eof'; s: string };

const malformed = (detail: string) => invalid(`Statement wasn't well formed, can't be processed: ${detail}`);

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const re =
    /\s+|("(?:[^"]|"")*")|('(?:[^']|'')*')|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(<<|>>|<>|!=|<=|>=|[=<>(),.[\]{}:?*+-])/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < src.length) {
    const at = re.lastIndex;
    if (!(m = re.exec(src))) throw malformed(`Unexpected character at position ${at}`);
    if (m[1]) out.push({ t: 'qid', s: m[1].slice(1, -1).replace(/""/g, '"') });
    else if (m[2]) out.push({ t: 'str', s: m[2].slice(1, -1).replace(/''/g, "'") });
    else if (m[3]) out.push({ t: 'num', s: m[3] });
    else if (m[4]) out.push({ t: 'id', s: m[4] });
    else if (m[5]) out.push({ t: 'op', s: m[5] });
  }
  out.push({ t: 'eof', s: '<EOF>' });
  return out;
}

class Parser {
  private readonly toks: Tok[];
  private i = 0;
  private param = 0;

  constructor(
    src: string,
    private readonly params: Value[],
  ) {
    this.toks = tokenize(src);
  }

  private peek() {
    return this.toks[this.i];
  }
  private word(w: string) {
    const t = this.peek();
    return t.t === 'id' && t.s.toUpperCase() === w;
  }
  private op(s: string) {
    const t = this.peek();
    return t.t === 'op' && t.s === s;
  }
  private expectWord(w: string) {
    if (!this.word(w)) throw malformed(`Expected ${w} but found ${this.peek().s}`);
    this.i++;
  }
  private expectOp(s: string) {
    if (!this.op(s)) throw malformed(`Expected ${s} but found ${this.peek().s}`);
    this.i++;
  }

  statement(): Statement {
    let st: Statement;
    if (this.word('SELECT')) st = this.select();
    else if (this.word('INSERT')) st = this.insert();
    else if (this.word('UPDATE')) st = this.update();
    else if (this.word('DELETE')) st = this.delete();
    else throw malformed(`Unexpected keyword ${this.peek().s}`);
    if (this.peek().t !== 'eof') throw malformed(`Unexpected token ${this.peek().s}`);
    if (this.param !== this.params.length) throw invalid(`Number of parameters in request and statement don't match.`);
    return st;
  }

  private tableName(): { table: string; index?: string } {
    const t = this.toks[this.i++];
    if (t.t !== 'qid' && t.t !== 'id') throw malformed('Expected a table name');
    if (this.op('.')) {
      this.i++;
      const idx = this.toks[this.i++];
      return { table: t.s, index: idx.s };
    }
    return { table: t.s };
  }

  private select(): Statement {
    this.i++;
    let paths: Path[] | undefined;
    if (this.op('*')) this.i++;
    else {
      paths = [this.path()];
      while (this.op(',')) {
        this.i++;
        paths.push(this.path());
      }
    }
    this.expectWord('FROM');
    const { table, index } = this.tableName();
    return { k: 'select', table, index, paths, where: this.where() };
  }

  private insert(): Statement {
    this.i++;
    this.expectWord('INTO');
    const { table } = this.tableName();
    this.expectWord('VALUE');
    const v = this.value();
    if (!v.M) throw malformed('INSERT expects a tuple value');
    return { k: 'insert', table, item: v.M };
  }

  private update(): Statement {
    this.i++;
    const { table } = this.tableName();
    const actions: UpdateAction[] = [];
    while (this.word('SET') || this.word('REMOVE')) {
      const kind = this.toks[this.i++].s.toUpperCase();
      do {
        if (this.op(',')) this.i++;
        const path = this.path();
        if (kind === 'REMOVE') actions.push({ k: 'REMOVE', path });
        else {
          this.expectOp('=');
          actions.push({ k: 'SET', path, value: this.arith() });
        }
      } while (this.op(','));
    }
    if (!actions.length) throw malformed('Expected SET or REMOVE');
    return { k: 'update', table, actions, where: this.where() };
  }

  private delete(): Statement {
    this.i++;
    this.expectWord('FROM');
    const { table } = this.tableName();
    return { k: 'delete', table, where: this.where() };
  }

  private where(): Condition | undefined {
    if (!this.word('WHERE')) return undefined;
    this.i++;
    return this.or();
  }

  private or(): Condition {
    let a = this.and();
    while (this.word('OR')) {
      this.i++;
      a = { k: 'or', a, b: this.and() };
    }
    return a;
  }

  private and(): Condition {
    let a = this.not();
    while (this.word('AND')) {
      this.i++;
      a = { k: 'and', a, b: this.not() };
    }
    return a;
  }

  private not(): Condition {
    if (this.word('NOT')) {
      this.i++;
      return { k: 'not', a: this.not() };
    }
    return this.predicate();
  }

  private predicate(): Condition {
    if (this.op('(')) {
      this.i++;
      const c = this.or();
      this.expectOp(')');
      return c;
    }
    const t = this.peek();
    const fn = t.t === 'id' ? t.s.toLowerCase() : '';
    if (['begins_with', 'contains', 'attribute_type'].includes(fn) && this.toks[this.i + 1].s === '(') {
      this.i += 2;
      const args = [this.operand()];
      while (this.op(',')) {
        this.i++;
        args.push(this.operand());
      }
      this.expectOp(')');
      return { k: 'fn', name: fn as 'contains', args };
    }
    const a = this.operand();
    if (this.word('IS')) {
      this.i++;
      const negated = this.word('NOT') ? (this.i++, true) : false;
      this.expectWord('MISSING');
      return { k: 'fn', name: negated ? 'attribute_exists' : 'attribute_not_exists', args: [a] };
    }
    if (this.word('BETWEEN')) {
      this.i++;
      const lo = this.operand();
      this.expectWord('AND');
      return { k: 'between', a, lo, hi: this.operand() };
    }
    if (this.word('IN')) {
      this.i++;
      const open = this.op('[') ? '[' : '(';
      this.expectOp(open);
      const list = [this.operand()];
      while (this.op(',')) {
        this.i++;
        list.push(this.operand());
      }
      this.expectOp(open === '[' ? ']' : ')');
      return { k: 'in', a, list };
    }
    const op = this.peek();
    if (op.t === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(op.s)) {
      this.i++;
      return { k: 'cmp', op: (op.s === '!=' ? '<>' : op.s) as Comparator, a, b: this.operand() };
    }
    throw malformed(`Unexpected token ${op.s}`);
  }

  private arith(): Operand {
    const a = this.operand();
    if (this.op('+') || this.op('-')) {
      const k = this.toks[this.i++].s as '+' | '-';
      return { k, a, b: this.operand() };
    }
    return a;
  }

  private operand(): Operand {
    const t = this.peek();
    if ((t.t === 'id' && !['TRUE', 'FALSE', 'NULL', 'MISSING'].includes(t.s.toUpperCase())) || t.t === 'qid') {
      if (t.t === 'id' && t.s.toLowerCase() === 'size' && this.toks[this.i + 1].s === '(') {
        this.i += 2;
        const path = this.path();
        this.expectOp(')');
        return { k: 'size', path };
      }
      return { k: 'path', path: this.path() };
    }
    return { k: 'value', value: this.value(), name: '' };
  }

  private path(): Path {
    const first = this.toks[this.i++];
    if (first.t !== 'id' && first.t !== 'qid') throw malformed('Expected identifier for simple path');
    const path: Path = [first.s];
    for (;;) {
      if (this.op('.')) {
        this.i++;
        const t = this.toks[this.i++];
        if (t.t !== 'id' && t.t !== 'qid') throw malformed('Expected identifier for simple path');
        path.push(t.s);
      } else if (this.op('[')) {
        this.i++;
        const t = this.toks[this.i++];
        if (t.t === 'num') path.push(Number(t.s));
        else if (t.t === 'str') path.push(t.s);
        else throw malformed('Expected a list index');
        this.expectOp(']');
      } else return path;
    }
  }

  private value(): Value {
    const t = this.toks[this.i++];
    if (t.t === 'str') return { S: t.s };
    if (t.t === 'num') return { N: normaliseNumber(t.s) };
    if (t.t === 'op' && t.s === '?') {
      const v = this.params[this.param++];
      if (!v) throw invalid(`Number of parameters in request and statement don't match.`);
      return normaliseValue(v);
    }
    if (t.t === 'id') {
      const w = t.s.toUpperCase();
      if (w === 'TRUE' || w === 'FALSE') return { BOOL: w === 'TRUE' };
      if (w === 'NULL') return { NULL: true };
    }
    if (t.t === 'op' && t.s === '{') {
      const m: Item = {};
      while (!this.op('}')) {
        const k = this.toks[this.i++];
        if (k.t !== 'str' && k.t !== 'qid' && k.t !== 'id') throw malformed('Expected a string key in a tuple');
        this.expectOp(':');
        m[k.s] = this.value();
        if (!this.op('}')) this.expectOp(',');
      }
      this.i++;
      return { M: m };
    }
    if (t.t === 'op' && t.s === '[') {
      const l: Value[] = [];
      while (!this.op(']')) {
        l.push(this.value());
        if (!this.op(']')) this.expectOp(',');
      }
      this.i++;
      return { L: l };
    }
    if (t.t === 'op' && t.s === '<<') {
      const els: Value[] = [];
      while (!this.op('>>')) {
        els.push(this.value());
        if (!this.op('>>')) this.expectOp(',');
      }
      this.i++;
      if (els.every((e) => e.S !== undefined)) return normaliseValue({ SS: els.map((e) => e.S!) });
      if (els.every((e) => e.N !== undefined)) return normaliseValue({ NS: els.map((e) => e.N!) });
      if (els.every((e) => e.B !== undefined)) return normaliseValue({ BS: els.map((e) => e.B!) });
      throw malformed('A set must hold values of one type: strings, numbers or binaries');
    }
    throw malformed(`Unexpected token ${t.s}`);
  }
}

export function parseStatement(src: string, params: Value[] = []): Statement {
  return new Parser(src, params).statement();
}
