// The legacy parameters older SDKs send (Expected, KeyConditions, QueryFilter, ScanFilter,
// AttributeUpdates, AttributesToGet), turned into the same trees the expressions parse into.
import type { AttributeValueUpdate, Condition as LegacyCondition, ExpectedAttributeValue } from '../../../generated/dynamodb.js';
import type { Condition, Operand, Path, UpdateAction } from './ast.js';
import { invalid, normaliseValue, type Value } from '../values.js';

const val = (v: Value, i: number): Operand => ({ k: 'value', value: normaliseValue(v), name: `:legacy${i}` });

function one(name: string, op: string, list: Value[]): Condition {
  const path: Operand = { k: 'path', path: [name] };
  const need = (n: number) => {
    if (list.length !== n)
      throw invalid(`One or more parameter values were invalid: Invalid number of argument(s) for the ${op} ComparisonOperator`);
  };
  const cmp = { EQ: '=', NE: '<>', LE: '<=', LT: '<', GE: '>=', GT: '>' } as const;
  if (op in cmp) {
    need(1);
    return { k: 'cmp', op: cmp[op as keyof typeof cmp], a: path, b: val(list[0], 0) };
  }
  switch (op) {
    case 'NOT_NULL':
      need(0);
      return { k: 'fn', name: 'attribute_exists', args: [path] };
    case 'NULL':
      need(0);
      return { k: 'fn', name: 'attribute_not_exists', args: [path] };
    case 'CONTAINS':
      need(1);
      return { k: 'fn', name: 'contains', args: [path, val(list[0], 0)] };
    case 'NOT_CONTAINS':
      need(1);
      return { k: 'not', a: { k: 'fn', name: 'contains', args: [path, val(list[0], 0)] } };
    case 'BEGINS_WITH':
      need(1);
      return { k: 'fn', name: 'begins_with', args: [path, val(list[0], 0)] };
    case 'IN':
      if (!list.length) need(1);
      return { k: 'in', a: path, list: list.map(val) };
    case 'BETWEEN':
      need(2);
      return { k: 'between', a: path, lo: val(list[0], 0), hi: val(list[1], 1) };
  }
  throw invalid(
    `1 validation error detected: Value '${op}' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]`,
  );
}

function combine(parts: Condition[], operator: string | undefined): Condition | undefined {
  if (!parts.length) return undefined;
  return parts.reduce((a, b) => ({ k: operator === 'OR' ? 'or' : 'and', a, b }));
}

export function fromExpected(expected: Record<string, ExpectedAttributeValue> | undefined, operator?: string): Condition | undefined {
  if (!expected) return undefined;
  const parts = Object.entries(expected).map(([name, e]): Condition => {
    if (e.ComparisonOperator) return one(name, e.ComparisonOperator, e.AttributeValueList ?? (e.Value ? [e.Value] : []));
    if (e.Exists === false) {
      if (e.Value)
        throw invalid('One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: ' + name);
      return { k: 'fn', name: 'attribute_not_exists', args: [{ k: 'path', path: [name] }] };
    }
    if (!e.Value)
      throw invalid('One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: ' + name);
    return one(name, 'EQ', [e.Value]);
  });
  return combine(parts, operator);
}

export function fromConditions(conds: Record<string, LegacyCondition> | undefined, operator?: string): Condition | undefined {
  if (!conds) return undefined;
  return combine(
    Object.entries(conds).map(([name, c]) => one(name, c.ComparisonOperator, c.AttributeValueList ?? [])),
    operator,
  );
}

export function fromAttributeUpdates(updates: Record<string, AttributeValueUpdate> | undefined): UpdateAction[] | undefined {
  if (!updates) return undefined;
  return Object.entries(updates).map(([name, u], i): UpdateAction => {
    const path: Path = [name];
    const action = u.Action ?? 'PUT';
    if (action === 'PUT') {
      if (!u.Value)
        throw invalid('One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified');
      return { k: 'SET', path, value: val(u.Value, i) };
    }
    if (!u.Value) {
      if (action === 'ADD') throw invalid('One or more parameter values were invalid: ADD action requires a value');
      return { k: 'REMOVE', path };
    }
    if (action === 'ADD' && u.Value.L) {
      return {
        k: 'SET',
        path,
        value: {
          k: 'list_append',
          a: { k: 'if_not_exists', path, value: { k: 'value', value: { L: [] }, name: ':empty' } },
          b: val(u.Value, i),
        },
      };
    }
    return { k: action, path, value: val(u.Value, i) };
  });
}

export const fromAttributesToGet = (names: string[] | undefined): Path[] | undefined => names?.map((n) => [n]);
