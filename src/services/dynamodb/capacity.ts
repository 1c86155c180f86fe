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

export function consumed(
  mode: ReturnConsumedCapacity | undefined,
  table: string,
  units: number,
  write: boolean,
  index?: { name: string; kind: 'LSI' | 'GSI' },
): ConsumedCapacity | undefined {
  if (!mode || mode === 'NONE') return undefined;
  const split = write ? { WriteCapacityUnits: units } : { ReadCapacityUnits: units };
  const out: ConsumedCapacity = { TableName: table, CapacityUnits: units, ...split };
  if (mode === 'INDEXES') {
    if (index)
      out[index.kind === 'GSI' ? 'GlobalSecondaryIndexes' : 'LocalSecondaryIndexes'] = { [index.name]: { CapacityUnits: units, ...split } };
    else out.Table = { CapacityUnits: units, ...split };
  }
  return out;
}

export interface IndexWrite {
  name: string;
  kind: 'LSI' | 'GSI';
  units: number;
}

/**
 * A write's capacity: the table's units (the larger of the old and the new image) plus each
 * secondary index the write changed (one write per entry put or removed, by its projected size).
 * TOTAL counts the indexes too; INDEXES shows them apart.
 */
export function writeConsumed(
  mode: ReturnConsumedCapacity | undefined,
  table: string,
  tableUnits: number,
  indexes: IndexWrite[],
): ConsumedCapacity | undefined {
  if (!mode || mode === 'NONE') return undefined;
  const total = indexes.reduce((n, i) => n + i.units, tableUnits);
  const out: ConsumedCapacity = { TableName: table, CapacityUnits: total, WriteCapacityUnits: total };
  if (mode === 'INDEXES') {
    out.Table = { CapacityUnits: tableUnits, WriteCapacityUnits: tableUnits };
    for (const kind of ['GSI', 'LSI'] as const) {
      const mine = indexes.filter((i) => i.kind === kind && i.units > 0);
      if (mine.length)
        out[kind === 'GSI' ? 'GlobalSecondaryIndexes' : 'LocalSecondaryIndexes'] = Object.fromEntries(
          mine.map((i) => [i.name, { CapacityUnits: i.units, WriteCapacityUnits: i.units }]),
        );
    }
  }
  return out;
}
