// A recursive-descent parser for DynamoDB's condition, key condition, update and projection
// expressions. Placeholders (#name, :value) are substituted while parsing; the caller learns which
// ones were used, so unused ones can be refused as DynamoDB does.
import type { Condition, Operand, Path, UpdateAction, Comparator } from './ast.js';
import { invalid, type Value } from '../values.js';
import { isReservedWord } from './reserved-words.js';

type Tok = { t: 'id' | 'name' | 'value' | 'num' | 'op' | 'eof'; s: string; pos: number };

const OPS = ['<>', '<=', '>=', '=', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-'];

function tokenize(src: string, fail: (tok: string, pos: number) => never): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const word = /^[A-Za-z0-9_]+/.exec(src.slice(i));
    if ((c === '#' || c === ':') && word === null) {
      const m = /^[#:][A-Za-z0-9_]+/.exec(src.slice(i));
      if (!m) fail(c, i);
      out.push({ t: c === '#' ? 'name' : 'value', s: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (word) {
      out.push({ t: /^\d+$/.test(word[0]) ? 'num' : 'id', s: word[0], pos: i });
      i += word[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) fail(c, i);
    out.push({ t: 'op', s: op, pos: i });
    i += op.length;
  }
  out.push({ t: 'eof', s: '<EOF>', pos: src.length });
  return out;
}

export interface Placeholders {
  names?: Record<string, string>;
  values?: Record<string, Value>;
  usedNames: Set<string>;
  usedValues: Set<string>;
}

const CONDITION_FUNCTIONS = ['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains'];
const OPERAND_FUNCTIONS = ['size', 'if_not_exists', 'list_append'];
const ARITY: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
  if_not_exists: 2,
  list_append: 2,
};

class Parser {
  private readonly toks: Tok[];
  private i = 0;
  /** the first semantic fault (undefined placeholder, reserved word): reported once the syntax is known good */
  private fault?: string;

  constructor(
    private readonly src: string,
    private readonly kind: string,
    private readonly ph: Placeholders,
  ) {
    if (src.trim() === '') throw invalid(`Invalid ${kind}: The expression can not be empty;`);
    this.toks = tokenize(src, (tok, pos) => this.syntax(tok, pos));
  }

  private error(msg: string): never {
    throw invalid(`Invalid ${this.kind}: ${msg}`);
  }

  private semantic(msg: string): void {
    this.fault ??= msg;
  }

  private syntax(tok: string, pos: number): never {
    const near = this.src
      .slice(
        Math.max(0, this.prevStart(pos)),
        Math.min(this.src.length, pos + tok.length + 1 + (this.src.slice(pos + tok.length).match(/^\s*\S*/)?.[0].length ?? 0)),
      )
      .trim();
    this.error(`Syntax error; token: "${tok}", near: "${near}"`);
  }

  private prevStart(pos: number): number {
    const before = this.src.slice(0, pos).trimEnd();
    const m = /\S+$/.exec(before);
    return m ? m.index : pos;
  }

  private peek(): Tok {
    return this.toks[this.i];
  }
  private next(): Tok {
    return this.toks[this.i++];
  }
  private unexpected(): never {
    const t = this.peek();
    this.syntax(t.s, t.pos);
  }
  private isOp(s: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.s === s;
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t.t === 'id' && t.s.toUpperCase() === w;
  }
  private expectOp(s: string): void {
    if (!this.isOp(s)) this.unexpected();
    this.i++;
  }
  done(): void {
    if (this.peek().t !== 'eof') this.unexpected();
    if (this.fault) this.error(this.fault);
  }

  // ---- conditions
  condition(): Condition {
    let a = this.conjunction();
    while (this.isWord('OR')) {
      this.i++;
      a = { k: 'or', a, b: this.conjunction() };
    }
    return a;
  }

  private conjunction(): Condition {
    let a = this.negation();
    while (this.isWord('AND')) {
      this.i++;
      a = { k: 'and', a, b: this.negation() };
    }
    return a;
  }

  private negation(): Condition {
    if (this.isWord('NOT')) {
      this.i++;
      return { k: 'not', a: this.negation() };
    }
    return this.predicate();
  }

  private predicate(): Condition {
    if (this.isOp('(')) {
      this.i++;
      const c = this.condition();
      this.expectOp(')');
      return c;
    }
    const t = this.peek();
    if (t.t === 'id' && this.toks[this.i + 1].t === 'op' && this.toks[this.i + 1].s === '(' && CONDITION_FUNCTIONS.includes(t.s)) {
      const { name, args } = this.call();
      return { k: 'fn', name: name as never, args };
    }
    const a = this.operand();
    const op = this.peek();
    if (op.t === 'op' && ['=', '<>', '<', '<=', '>', '>='].includes(op.s)) {
      this.i++;
      return { k: 'cmp', op: op.s as Comparator, a, b: this.operand() };
    }
    if (this.isWord('BETWEEN')) {
      this.i++;
      const lo = this.operand();
      if (!this.isWord('AND')) this.unexpected();
      this.i++;
      return { k: 'between', a, lo, hi: this.operand() };
    }
    if (this.isWord('IN')) {
      this.i++;
      this.expectOp('(');
      const list = [this.operand()];
      while (this.isOp(',')) {
        this.i++;
        list.push(this.operand());
      }
      this.expectOp(')');
      return { k: 'in', a, list };
    }
    this.unexpected();
  }

  private call(): { name: string; args: Operand[] } {
    const name = this.next().s;
    if (!CONDITION_FUNCTIONS.includes(name) && !OPERAND_FUNCTIONS.includes(name)) this.error(`Invalid function name; function: ${name}`);
    this.expectOp('(');
    const args: Operand[] = [];
    if (!this.isOp(')')) {
      args.push(this.operand());
      while (this.isOp(',')) {
        this.i++;
        args.push(this.operand());
      }
    }
    this.expectOp(')');
    if (args.length !== ARITY[name])
      this.error(
        `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`,
      );
    return { name, args };
  }

  // ---- operands
  operand(allowArithmetic = false): Operand {
    const a = this.term();
    if (allowArithmetic && (this.isOp('+') || this.isOp('-'))) {
      const op = this.next().s as '+' | '-';
      return { k: op, a, b: this.term() };
    }
    return a;
  }

  private term(): Operand {
    const t = this.peek();
    if (t.t === 'value') {
      this.i++;
      return { k: 'value', value: this.value(t.s), name: t.s };
    }
    if (t.t === 'id' && this.toks[this.i + 1].t === 'op' && this.toks[this.i + 1].s === '(') {
      const at = this.i;
      const { name, args } = this.call();
      if (CONDITION_FUNCTIONS.includes(name)) {
        this.i = at;
        this.error(`The function is not allowed to be used this way in an expression; function: ${name}`);
      }
      const path = (o: Operand): Path => {
        if (o.k !== 'path') this.error(`Operator or function requires a document path; operator or function: ${name}`);
        return o.path;
      };
      if (name === 'size') return { k: 'size', path: path(args[0]) };
      if (name === 'if_not_exists') return { k: 'if_not_exists', path: path(args[0]), value: args[1] };
      return { k: 'list_append', a: args[0], b: args[1] };
    }
    if (t.t === 'id' || t.t === 'name') return { k: 'path', path: this.path() };
    this.unexpected();
  }

  private value(placeholder: string): Value {
    const v = this.ph.values?.[placeholder];
    if (v === undefined) this.semantic(`An expression attribute value used in expression is not defined; attribute value: ${placeholder}`);
    this.ph.usedValues.add(placeholder);
    return v ?? { NULL: true };
  }

  path(): Path {
    const path: Path = [this.pathName()];
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        path.push(this.pathName());
        continue;
      }
      if (this.isOp('[')) {
        this.i++;
        const n = this.next();
        if (n.t !== 'num') {
          this.i--;
          this.unexpected();
        }
        this.expectOp(']');
        path.push(Number(n.s));
        continue;
      }
      return path;
    }
  }

  private pathName(): string {
    const t = this.next();
    if (t.t === 'name') {
      const name = this.ph.names?.[t.s];
      if (name === undefined)
        this.semantic(`An expression attribute name used in the document path is not defined; attribute name: ${t.s}`);
      this.ph.usedNames.add(t.s);
      return name ?? t.s;
    }
    if (t.t === 'id' && /^[A-Za-z_]/.test(t.s)) {
      if (isReservedWord(t.s)) this.semantic(`Attribute name is a reserved keyword; reserved keyword: ${t.s}`);
      return t.s;
    }
    this.i--;
    this.unexpected();
  }

  // ---- update expressions
  update(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    while (this.peek().t !== 'eof') {
      const t = this.next();
      const clause = t.s.toUpperCase();
      if (t.t !== 'id' || !['SET', 'REMOVE', 'ADD', 'DELETE'].includes(clause)) {
        this.i--;
        this.unexpected();
      }
      if (seen.has(clause)) this.error(`The "${clause}" section can only be used once in an update expression;`);
      seen.add(clause);
      do {
        if (actions.length && this.isOp(',')) this.i++;
        const path = this.path();
        if (clause === 'SET') {
          this.expectOp('=');
          actions.push({ k: 'SET', path, value: this.operand(true) });
        } else if (clause === 'REMOVE') {
          actions.push({ k: 'REMOVE', path });
        } else {
          const value = this.operand();
          if (value.k !== 'value') this.syntax(this.toks[this.i - 1].s, this.toks[this.i - 1].pos);
          actions.push({ k: clause as 'ADD' | 'DELETE', path, value });
        }
      } while (this.isOp(','));
    }
    return actions;
  }

  projection(): Path[] {
    const paths = [this.path()];
    while (this.isOp(',')) {
      this.i++;
      paths.push(this.path());
    }
    return paths;
  }
}

export function parseCondition(src: string, kind: string, ph: Placeholders): Condition {
  const p = new Parser(src, kind, ph);
  const c = p.condition();
  p.done();
  return c;
}

export function parseUpdate(src: string, ph: Placeholders): UpdateAction[] {
  const p = new Parser(src, 'UpdateExpression', ph);
  const a = p.update();
  p.done();
  return a;
}

export function parseProjection(src: string, ph: Placeholders): Path[] {
  const p = new Parser(src, 'ProjectionExpression', ph);
  const paths = p.projection();
  p.done();
  return paths;
}
