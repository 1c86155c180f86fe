// The parsed forms of DynamoDB's expression languages, placeholders already substituted.
import type { Value } from '../values.js';

/** A document path: attribute names and list indexes. */
export type Path = Array<string | number>;

export type Operand =
  | { k: 'path'; path: Path }
  | { k: 'value'; value: Value; name: string }
  | { k: 'size'; path: Path }
  | { k: 'if_not_exists'; path: Path; value: Operand }
  | { k: 'list_append'; a: Operand; b: Operand }
  | { k: '+' | '-'; a: Operand; b: Operand };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { k: 'cmp'; op: Comparator; a: Operand; b: Operand }
  | { k: 'between'; a: Operand; lo: Operand; hi: Operand }
  | { k: 'in'; a: Operand; list: Operand[] }
  | { k: 'and' | 'or'; a: Condition; b: Condition }
  | { k: 'not'; a: Condition }
  | { k: 'fn'; name: 'attribute_exists' | 'attribute_not_exists' | 'attribute_type' | 'begins_with' | 'contains'; args: Operand[] };

export type UpdateAction =
  { k: 'SET'; path: Path; value: Operand } | { k: 'REMOVE'; path: Path } | { k: 'ADD' | 'DELETE'; path: Path; value: Operand };

export const pathText = (p: Path) => p.map((e, i) => (typeof e === 'number' ? `[${e}]` : i ? `.${e}` : e)).join('');
