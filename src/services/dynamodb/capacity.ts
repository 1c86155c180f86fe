// ConsumedCapacity, when the caller asks for it: 1 WCU per KB written, 1 RCU per 4 KB read
// strongly consistent (half eventually consistent), as on-demand tables are billed.
import type { ConsumedCapacity, ReturnConsumedCapacity } from '../../generated/dynamodb.js';

export function writeUnits(size: number): number {
  return Math.max(1, Math.ceil(size / 1024));
}

export function readUnits(size: number, consistent: boolean | undefined): number {
  const units = Math.max(1, Math.ceil(size / 4096));
  return consistent ? units : units / 2;
}

export function consumed(mode: ReturnConsumedCapacity | undefined, table: string, units: number, write: boolean, index?: { name: string; kind: 'LSI' | 'GSI' }): ConsumedCapacity | undefined {
  if (!mode || mode === 'NONE') return undefined;
  const split = write ? { WriteCapacityUnits: units } : { ReadCapacityUnits: units };
  const out: ConsumedCapacity = { TableName: table, CapacityUnits: units, ...split };
  if (mode === 'INDEXES') {
    if (index) out[index.kind === 'GSI' ? 'GlobalSecondaryIndexes' : 'LocalSecondaryIndexes'] = { [index.name]: { CapacityUnits: units, ...split } };
    else out.Table = { CapacityUnits: units, ...split };
  }
  return out;
}
