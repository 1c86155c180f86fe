// Document path checks shared by the expression kinds: overlapping paths, and the attributes a
// condition refers to.
import type { Condition, Operand, Path } from './ast.js';
import { invalid } from '../values.js';

const pathKey = (p: Path) => p.map((e) => (typeof e === 'number' ? `[${e}]` : `.${e}`));
const shownPath = (p: Path) => `[${p.join(', ')}]`;

/** Refuses paths that overlap (one inside another) or conflict (a map key and a list index at one place). */
export function checkOverlaps(paths: Path[], kind: string): void {
  const keys = paths.map(pathKey);
  for (let i = 0; i < keys.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [keys[j], keys[i]];
      const n = Math.min(a.length, b.length);
      let same = 0;
      while (same < n && a[same] === b[same]) same++;
      const what = same === n ? 'overlap' : a[same].startsWith('[') !== b[same].startsWith('[') ? 'conflict' : undefined;
      if (what) {
        throw invalid(
          `Invalid ${kind}: Two document paths ${what} with each other; must remove or rewrite one of these paths; path one: ${shownPath(paths[j])}, path two: ${shownPath(paths[i])}`,
        );
      }
    }
  }
}

/** The top-level attribute names a condition reads. */
export function conditionAttributes(c: Condition, out = new Set<string>()): Set<string> {
  const operand = (o: Operand) => {
    if (o.k === 'path' || o.k === 'size' || o.k === 'if_not_exists') out.add(String(o.path[0]));
    if (o.k === 'list_append' || o.k === '+' || o.k === '-') {
      operand(o.a);
      operand(o.b);
    }
  };
  switch (c.k) {
    case 'and':
    case 'or':
      conditionAttributes(c.a, out);
      conditionAttributes(c.b, out);
      break;
    case 'not':
      conditionAttributes(c.a, out);
      break;
    case 'cmp':
      operand(c.a);
      operand(c.b);
      break;
    case 'between':
      operand(c.a);
      operand(c.lo);
      operand(c.hi);
      break;
    case 'in':
      operand(c.a);
      c.list.forEach(operand);
      break;
    case 'fn':
      c.args.forEach(operand);
      break;
  }
  return out;
}
