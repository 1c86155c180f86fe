// AWS/DynamoDB's standard metrics for the item operations: ConsumedRead/WriteCapacityUnits per
// TableName, SuccessfulRequestLatency and ThrottledRequests per TableName and Operation. The
// capacity is the ConsumedCapacity the operation computes anyway (asked for as TOTAL, and taken out
// of the answer again when the caller did not ask). CloudWatch aggregates the values per minute.
import type { Runtime } from '../../runtime.js';
import type { ConsumedCapacity } from '../../generated/dynamodb.js';
import { ServiceError } from '../errors.js';

const OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

type Handler = (input: Record<string, unknown>, ctx: { account: string; region: string }) => unknown;

export function withMetrics<T extends object>(rt: Runtime, handlers: T): T {
  const out = { ...handlers } as Record<string, unknown>;
  for (const [op, h] of Object.entries(handlers)) {
    if (!OPERATIONS.has(op)) continue;
    const fn = h as Handler;
    out[op] = (input: Record<string, unknown>, ctx: { account: string; region: string }) => {
      const cw = rt.integrations.cloudwatch;
      if (!cw) return fn(input, ctx);
      const asked = input.ReturnConsumedCapacity !== undefined && input.ReturnConsumedCapacity !== 'NONE';
      const started = performance.now();
      const done = (result: unknown) => {
        const r = result as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] } | undefined;
        const caps = r?.ConsumedCapacity === undefined ? [] : Array.isArray(r.ConsumedCapacity) ? r.ConsumedCapacity : [r.ConsumedCapacity];
        if (!asked && r) delete r.ConsumedCapacity;
        const ms = performance.now() - started;
        const tables = new Set<string>(typeof input.TableName === 'string' ? [input.TableName] : []);
        const data = [];
        for (const c of caps) {
          if (!c.TableName) continue;
          tables.add(c.TableName);
          const Dimensions = [{ Name: 'TableName', Value: c.TableName }];
          if (c.ReadCapacityUnits || (!WRITES.has(op) && c.CapacityUnits))
            data.push({
              MetricName: 'ConsumedReadCapacityUnits',
              Dimensions,
              Value: c.ReadCapacityUnits ?? c.CapacityUnits!,
              Unit: 'Count',
            });
          if (c.WriteCapacityUnits || (WRITES.has(op) && c.CapacityUnits))
            data.push({
              MetricName: 'ConsumedWriteCapacityUnits',
              Dimensions,
              Value: c.WriteCapacityUnits ?? c.CapacityUnits!,
              Unit: 'Count',
            });
        }
        for (const t of tables)
          data.push({
            MetricName: 'SuccessfulRequestLatency',
            Dimensions: [
              { Name: 'TableName', Value: t },
              { Name: 'Operation', Value: op },
            ],
            Value: ms,
            Unit: 'Milliseconds',
          });
        cw.putMetricData(ctx.account, ctx.region, 'AWS/DynamoDB', data);
        return result;
      };
      const failed = (e: unknown) => {
        if (e instanceof ServiceError && e.code === 'ProvisionedThroughputExceededException' && typeof input.TableName === 'string') {
          cw.putMetricData(ctx.account, ctx.region, 'AWS/DynamoDB', [
            {
              MetricName: 'ThrottledRequests',
              Dimensions: [
                { Name: 'TableName', Value: input.TableName },
                { Name: 'Operation', Value: op },
              ],
              Value: 1,
              Unit: 'Count',
            },
          ]);
        }
        throw e;
      };
      try {
        const result = fn(asked ? input : { ...input, ReturnConsumedCapacity: 'TOTAL' }, ctx);
        return result instanceof Promise ? result.then(done, failed) : done(result);
      } catch (e) {
        return failed(e);
      }
    };
  }
  return out as T;
}
