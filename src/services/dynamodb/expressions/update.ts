// Applying an UpdateExpression's actions to an item (a copy): SET, REMOVE, ADD, DELETE.
import type { Operand, Path, UpdateAction } from './ast.js';
import { resolvePath } from './evaluate.js';
import { checkOverlaps } from './paths.js';
import { addNumbers } from '../numbers.js';
import { equalValues, invalid, invalidParam, typeOf, type Item, type Value } from '../values.js';

const TYPE_WORDS: Record<string, string> = { S: 'STRING', B: 'BINARY', L: 'LIST', M: 'MAP', BOOL: 'BOOLEAN', NULL: 'NULL' };
const badType = () => invalid('An operand in the update expression has an incorrect data type');
const badPath = () => invalid('The document path provided in the update expression is invalid for update');

/** Refuses actions on overlapping or conflicting paths, or on key attributes, before touching the item. */
export function checkPaths(actions: UpdateAction[], keyNames: string[]): void {
  checkOverlaps(
    actions.map((a) => a.path),
    'UpdateExpression',
  );
  for (const a of actions) {
    if (a.path.length === 1 && keyNames.includes(a.path[0] as string)) {
      throw invalidParam(`Cannot update attribute ${a.path[0]}. This attribute is part of the key`);
    }
  }
}

function operandValue(item: Item, o: Operand): Value {
  switch (o.k) {
    case 'value':
      return o.value;
    case 'path': {
      const v = resolvePath(item, o.path);
      if (!v) throw invalid('The provided expression refers to an attribute that does not exist in the item');
      return v;
    }
    case 'if_not_exists':
      return resolvePath(item, o.path) ?? operandValue(item, o.value);
    case 'list_append': {
      const a = operandValue(item, o.a),
        b = operandValue(item, o.b);
      if (!a.L || !b.L) throw badType();
      return { L: [...a.L, ...b.L] };
    }
    case '+':
    case '-': {
      const a = operandValue(item, o.a),
        b = operandValue(item, o.b);
      if (a.N === undefined || b.N === undefined) throw badType();
      return { N: addNumbers(a.N, b.N, o.k === '-') };
    }
    case 'size':
      throw badType();
  }
}

/** The container holding path's last element, or undefined when the parent path is missing. */
function parentOf(item: Item, path: Path): Value | undefined {
  return path.length === 1 ? { M: item } : resolvePath(item, path.slice(0, -1));
}

function setAt(item: Item, path: Path, v: Value): void {
  const parent = parentOf(item, path);
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    if (!parent?.L) throw badPath();
    if (last >= parent.L.length) parent.L.push(v);
    else parent.L[last] = v;
  } else {
    if (!parent?.M) throw badPath();
    parent.M[last] = v;
  }
}

function removeAt(item: Item, path: Path): void {
  const parent = parentOf(item, path);
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    if (parent?.L && last < parent.L.length) parent.L.splice(last, 1);
    else if (parent && !parent.L) throw badPath();
  } else if (parent?.M) delete parent.M[last];
  else if (parent) throw badPath();
}

function setOp(cur: Value | undefined, v: Value, add: boolean): Value | undefined {
  const t = typeOf(v);
  if (t !== 'SS' && t !== 'NS' && t !== 'BS') throw badType();
  if (!cur) {
    if (!add) return undefined;
    return v;
  }
  if (typeOf(cur) !== t) throw badType();
  const curList = (cur as Record<string, (string | Buffer)[]>)[t];
  const vList = (v as Record<string, (string | Buffer)[]>)[t];
  const same = (x: string | Buffer, y: string | Buffer) => equalValues({ [t[0]]: x } as Value, { [t[0]]: y } as Value);
  if (add) return { [t]: [...curList, ...vList.filter((x) => !curList.some((y) => same(x, y)))] } as Value;
  const rest = curList.filter((x) => !vList.some((y) => same(x, y)));
  return rest.length ? ({ [t]: rest } as Value) : undefined;
}

// structuredClone would turn Buffers into plain Uint8Arrays: copy containers, share the (never mutated) scalars
const cloneValue = (v: Value): Value =>
  v.M
    ? { M: cloneItem(v.M) }
    : v.L
      ? { L: v.L.map(cloneValue) }
      : v.SS
        ? { SS: [...v.SS] }
        : v.NS
          ? { NS: [...v.NS] }
          : v.BS
            ? { BS: [...v.BS] }
            : { ...v };
const cloneItem = (item: Item): Item => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, cloneValue(v)]));

/** A deep copy of item with the actions applied (all operands read from the original item). */
export function applyUpdate(original: Item, actions: UpdateAction[]): Item {
  const item = cloneItem(original);
  // SET values are computed from the item as it was, then written
  const sets = actions.filter((a) => a.k === 'SET').map((a) => [a, operandValue(original, (a as { value: Operand }).value)] as const);
  for (const [a, v] of sets) setAt(item, a.path, v);
  for (const a of actions) {
    if (a.k === 'REMOVE') removeAt(item, a.path);
    else if (a.k === 'ADD' || a.k === 'DELETE') {
      const v = (a.value as { value: Value }).value;
      const cur = resolvePath(item, a.path);
      if (a.k === 'ADD' && v.N !== undefined) {
        if (cur && cur.N === undefined) throw badType();
        setAt(item, a.path, { N: cur ? addNumbers(cur.N!, v.N) : v.N });
      } else if (a.k === 'ADD' && typeOf(v) !== 'SS' && typeOf(v) !== 'NS' && typeOf(v) !== 'BS') {
        throw invalid(
          `Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: ${TYPE_WORDS[typeOf(v)] ?? typeOf(v)}`,
        );
      } else {
        const next = setOp(cur, v, a.k === 'ADD');
        if (next) setAt(item, a.path, next);
        else if (cur) removeAt(item, a.path);
      }
    }
  }
  return item;
}
