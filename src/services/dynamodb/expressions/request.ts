// One request's expressions: its ExpressionAttributeNames/Values checked, its expressions parsed,
// and placeholders that no expression used refused, with DynamoDB's messages.
import type { Condition, Path, UpdateAction } from './ast.js';
import { checkOverlaps } from './paths.js';
import { parseCondition, parseProjection, parseUpdate, type Placeholders } from './parser.js';
import { invalid, normaliseValue, type Value } from '../values.js';
import { ServiceError } from '../../errors.js';

export class RequestExpressions {
  private readonly ph: Placeholders;
  private parsed = 0;

  constructor(names: Record<string, string> | undefined, values: Record<string, Value> | undefined) {
    if (names && Object.keys(names).length === 0) throw invalid('ExpressionAttributeNames must not be empty');
    if (values && Object.keys(values).length === 0) throw invalid('ExpressionAttributeValues must not be empty');
    const checked: Record<string, Value> | undefined = values && {};
    for (const [k, v] of Object.entries(values ?? {})) {
      if (!/^:[A-Za-z0-9_]+$/.test(k)) throw invalid(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${k}"`);
      try {
        checked![k] = normaliseValue(v);
      } catch (e) {
        if (!(e instanceof ServiceError)) throw e;
        throw invalid(`ExpressionAttributeValues contains invalid value: ${e.message} for key ${k}`);
      }
    }
    for (const k of Object.keys(names ?? {})) {
      if (!/^#[A-Za-z0-9_]+$/.test(k)) throw invalid(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${k}"`);
    }
    this.ph = { names, values: checked, usedNames: new Set(), usedValues: new Set() };
  }

  condition(src: string | undefined, kind = 'ConditionExpression'): Condition | undefined {
    if (src === undefined) return undefined;
    this.parsed++;
    return parseCondition(src, kind, this.ph);
  }

  update(src: string | undefined): UpdateAction[] | undefined {
    if (src === undefined) return undefined;
    this.parsed++;
    return parseUpdate(src, this.ph);
  }

  projection(src: string | undefined): Path[] | undefined {
    if (src === undefined) return undefined;
    this.parsed++;
    const paths = parseProjection(src, this.ph);
    checkOverlaps(paths, 'ProjectionExpression');
    return paths;
  }

  /** Call after parsing every expression of the request. */
  finish(): void {
    const { names, values, usedNames, usedValues } = this.ph;
    if (!this.parsed) {
      if (names) throw invalid('ExpressionAttributeNames can only be specified when using expressions');
      if (values) throw invalid('ExpressionAttributeValues can only be specified when using expressions');
    }
    const unusedNames = Object.keys(names ?? {}).filter((k) => !usedNames.has(k));
    if (unusedNames.length)
      throw invalid(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
    const unusedValues = Object.keys(values ?? {}).filter((k) => !usedValues.has(k));
    if (unusedValues.length)
      throw invalid(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
  }
}

/**
 * Refuses a mix of legacy and expression parameters, then placeholders sent without an expression
 * that could use them, in DynamoDB's order (before the placeholders themselves are checked). `modern`
 * lists the request's expressions in the order DynamoDB names them.
 */
export function noMixing(
  legacy: Record<string, unknown>,
  modern: Record<string, unknown>,
  placeholders?: { names?: unknown; values?: unknown },
): void {
  const l = Object.keys(legacy).filter((k) => legacy[k] !== undefined);
  const m = Object.keys(modern).filter((k) => modern[k] !== undefined);
  if (l.length && m.length) {
    throw invalid(
      `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${l.join(', ')}} Expression parameters: {${m.join(', ')}}`,
    );
  }
  if (!placeholders) return;
  if (placeholders.names !== undefined && !m.length) throw invalid('ExpressionAttributeNames can only be specified when using expressions');
  const valueExprs = Object.keys(modern).filter((k) => k !== 'ProjectionExpression');
  if (placeholders.values !== undefined && valueExprs.length && valueExprs.every((k) => modern[k] === undefined)) {
    throw invalid(
      `ExpressionAttributeValues can only be specified when using expressions: ${valueExprs.join(' and ')} ${valueExprs.length > 1 ? 'are' : 'is'} null`,
    );
  }
}
