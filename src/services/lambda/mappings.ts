// Event source mappings: Lambda polls an SQS queue or a DynamoDB stream and invokes the function
// with batches. SQS: messages deleted after success (all but the reported batchItemFailures with
// ReportBatchItemFailures), left to reappear after a failure, filtered-out ones deleted. Streams:
// per-shard positions kept in the mapping (durable), a failed batch retried. The pollers call the
// services' own handlers through rt.invoke.
import { randomUUID } from 'node:crypto';
import type { Runtime, RequestContext, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { LambdaProvider, EventSourceMappingConfiguration, CreateEventSourceMappingRequest } from '../../generated/lambda.js';
import { getLatest } from './functions.js';
import { functionArn, invalidValue, parseFunctionName, type LambdaStore, type MappingRecord } from './model.js';
import { resolveTarget, runNow } from './invoke.js';
import { parsePatterns, passes } from './filter.js';

const SQS_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;
const STREAM_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\d{12}):table\/[^/]+\/stream\/.+$/;
const notFound = (uuid: string) =>
  new ServiceError(
    'ResourceNotFoundException',
    `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${uuid})`,
    404,
    { Type: 'User' },
  );

function render(m: MappingRecord): EventSourceMappingConfiguration {
  const out: EventSourceMappingConfiguration = {
    UUID: m.uuid,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: m.windowS,
    EventSourceArn: m.sourceArn,
    FunctionArn: functionArn(m.region, m.account, m.functionName, m.qualifier),
    LastModified: new Date(m.lastModified),
    State: m.enabled ? 'Enabled' : 'Disabled',
    StateTransitionReason: 'USER_INITIATED',
    FunctionResponseTypes: m.responseTypes as 'ReportBatchItemFailures'[],
    EventSourceMappingArn: `arn:aws:lambda:${m.region}:${m.account}:event-source-mapping:${m.uuid}`,
  };
  if (m.filters.length) out.FilterCriteria = { Filters: m.filters.map((Pattern) => ({ Pattern })) };
  if (m.kind === 'dynamodb')
    Object.assign(out, {
      StartingPosition: m.startingPosition,
      MaximumRetryAttempts: m.maxRetries,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: false,
      MaximumRecordAgeInSeconds: -1,
      TumblingWindowInSeconds: 0,
      LastProcessingResult: m.lastResult,
    });
  if (m.maxConcurrency) out.ScalingConfig = { MaximumConcurrency: m.maxConcurrency };
  return out;
}

export class Mappings {
  private readonly col;
  private readonly running = new Map<string, { stop: boolean; timer?: NodeJS.Timeout; wake?: () => void }>();
  private closed = false;

  constructor(
    private readonly rt: Runtime,
    private readonly stores: Stores<LambdaStore>,
  ) {
    this.col = stores.system().mappings;
    rt.onClose(() => {
      this.closed = true;
      for (const p of this.running.values()) {
        p.stop = true;
        clearTimeout(p.timer);
        p.wake?.();
      }
    });
    setImmediate(() => {
      if (this.closed) return;
      for (const [uuid, m] of this.col.scan()) if (m.enabled) this.start(uuid);
    });
  }

  handlers(): LambdaProvider {
    const at = (ctx: RequestContext, uuid: string) => {
      const m = this.col.get(uuid);
      if (!m || m.account !== ctx.account || m.region !== ctx.region) throw notFound(uuid);
      return m;
    };
    return {
      CreateEventSourceMapping: (i: CreateEventSourceMappingRequest, ctx) => {
        const store = this.stores.get(ctx.account, ctx.region);
        const { name, qualifier } = parseFunctionName(i.FunctionName, ctx.account, ctx.region);
        getLatest(store, name);
        const source = i.EventSourceArn ?? '';
        const kind = SQS_ARN.test(source) ? 'sqs' : STREAM_ARN.test(source) ? 'dynamodb' : undefined;
        if (!kind) throw invalidValue(`Unsupported event source ${source}: Nimbus maps SQS queues and DynamoDB streams.`);
        if (kind === 'sqs') {
          const m = SQS_ARN.exec(source)!;
          if (this.rt.integrations.sqs && !this.rt.integrations.sqs.queueExists(source))
            throw invalidValue(
              `Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist for this wsdl version. (${m[3]})`,
            );
          const max = source.endsWith('.fifo') ? 10 : 10000;
          if (i.BatchSize !== undefined && (i.BatchSize < 1 || i.BatchSize > max))
            throw invalidValue(`BatchSize must be between 1 and ${max}.`);
          if ((i.BatchSize ?? 10) > 10 && !i.MaximumBatchingWindowInSeconds)
            throw invalidValue('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
        } else {
          if (!i.StartingPosition)
            throw invalidValue(
              "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null",
            );
          if (i.BatchSize !== undefined && (i.BatchSize < 1 || i.BatchSize > 10000))
            throw invalidValue('BatchSize must be between 1 and 10000.');
        }
        for (const [uuid, m] of this.col.scan()) {
          if (m.sourceArn === source && m.functionName === name && m.account === ctx.account)
            throw new ServiceError(
              'ResourceConflictException',
              `An event source mapping with ${kind === 'sqs' ? 'SQS' : 'event source'} arn (" ${source} ") and function (" ${name} ") already exists. Please update or delete the existing mapping with UUID ${uuid}`,
              409,
              { Type: 'User' },
            );
        }
        parsePatterns(i.FilterCriteria?.Filters);
        const m: MappingRecord = {
          uuid: randomUUID(),
          account: ctx.account,
          region: ctx.region,
          functionName: name,
          qualifier,
          sourceArn: source,
          kind,
          enabled: i.Enabled ?? true,
          batchSize: i.BatchSize ?? (kind === 'sqs' ? 10 : 100),
          windowS: i.MaximumBatchingWindowInSeconds ?? 0,
          filters: (i.FilterCriteria?.Filters ?? []).map((f) => f.Pattern ?? ''),
          responseTypes: i.FunctionResponseTypes ?? [],
          startingPosition: i.StartingPosition,
          maxRetries: i.MaximumRetryAttempts ?? -1,
          maxConcurrency: i.ScalingConfig?.MaximumConcurrency,
          lastModified: this.rt.clock.nowMs(),
          positions: {},
          lastResult: 'No records processed',
        };
        this.col.put(m.uuid, m);
        if (m.enabled) this.start(m.uuid);
        return { ...render(m), State: 'Creating' };
      },
      GetEventSourceMapping: (i, ctx) => render(at(ctx, i.UUID)),
      UpdateEventSourceMapping: (i, ctx) => {
        const cur = at(ctx, i.UUID);
        parsePatterns(i.FilterCriteria?.Filters);
        const m: MappingRecord = {
          ...cur,
          ...(i.Enabled !== undefined ? { enabled: i.Enabled } : {}),
          ...(i.BatchSize !== undefined ? { batchSize: i.BatchSize } : {}),
          ...(i.MaximumBatchingWindowInSeconds !== undefined ? { windowS: i.MaximumBatchingWindowInSeconds } : {}),
          ...(i.FilterCriteria ? { filters: (i.FilterCriteria.Filters ?? []).map((f) => f.Pattern ?? '') } : {}),
          ...(i.FunctionResponseTypes ? { responseTypes: i.FunctionResponseTypes } : {}),
          ...(i.MaximumRetryAttempts !== undefined ? { maxRetries: i.MaximumRetryAttempts } : {}),
          lastModified: this.rt.clock.nowMs(),
        };
        if (i.FunctionName) m.functionName = parseFunctionName(i.FunctionName, ctx.account, ctx.region).name;
        this.col.put(m.uuid, m);
        if (m.enabled) this.start(m.uuid);
        else this.stop(m.uuid);
        return { ...render(m), State: m.enabled ? 'Enabling' : 'Disabling' };
      },
      DeleteEventSourceMapping: (i, ctx) => {
        const m = at(ctx, i.UUID);
        this.col.delete(m.uuid);
        this.stop(m.uuid);
        return { ...render(m), State: 'Deleting' };
      },
      ListEventSourceMappings: (i, ctx) => {
        let fn: string | undefined;
        if (i.FunctionName) fn = parseFunctionName(i.FunctionName, ctx.account, ctx.region).name;
        const all = [...this.col.scan()]
          .map(([, m]) => m)
          .filter(
            (m) =>
              m.account === ctx.account &&
              m.region === ctx.region &&
              (!fn || m.functionName === fn) &&
              (!i.EventSourceArn || m.sourceArn === i.EventSourceArn),
          );
        return { EventSourceMappings: all.map(render) };
      },
    };
  }

  private start(uuid: string): void {
    if (this.running.has(uuid) || this.closed) return;
    const state: { stop: boolean; timer?: NodeJS.Timeout; wake?: () => void } = { stop: false };
    this.running.set(uuid, state);
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        state.wake = resolve;
        state.timer = setTimeout(resolve, ms);
        state.timer.unref();
      });
    const iterators = new Map<string, string>();
    void (async () => {
      while (!state.stop) {
        const m = this.col.get(uuid);
        if (!m || !m.enabled) break;
        let worked = false;
        try {
          worked = m.kind === 'sqs' ? await this.pollSqs(m, () => state.stop) : await this.pollStream(m, iterators);
        } catch (e) {
          if (!(e instanceof ServiceError)) this.rt.log.warn(`lambda: mapping ${uuid}: ${(e as Error).message}`);
          iterators.clear();
          await sleep(1000);
        }
        if (!worked && !state.stop) await sleep(m.kind === 'sqs' ? 50 : 200);
      }
      this.running.delete(uuid);
    })();
  }

  private stop(uuid: string): void {
    const p = this.running.get(uuid);
    if (!p) return;
    p.stop = true;
    clearTimeout(p.timer);
    p.wake?.();
  }

  private where(m: MappingRecord) {
    return { account: m.account, region: m.region };
  }

  private async invoke(m: MappingRecord, event: unknown) {
    const store = this.stores.get(m.account, m.region);
    return runNow(this.rt, store, resolveTarget(store, m.functionName, m.qualifier), Buffer.from(JSON.stringify(event)));
  }

  private async pollSqs(m: MappingRecord, stopped: () => boolean): Promise<boolean> {
    const [, region, account, name] = SQS_ARN.exec(m.sourceArn)!;
    const QueueUrl = `http://localhost/${account}/${name}`;
    const where = { account, region };
    type Msg = {
      MessageId: string;
      ReceiptHandle: string;
      Body: string;
      MD5OfBody: string;
      Attributes?: Record<string, string>;
      MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Buffer }>;
    };
    const batch: Msg[] = [];
    const started = Date.now();
    do {
      const r = await this.rt.invoke<{ Messages?: Msg[] }>(
        'sqs',
        'ReceiveMessage',
        {
          QueueUrl,
          MaxNumberOfMessages: Math.min(10, m.batchSize - batch.length),
          WaitTimeSeconds: m.windowS ? 1 : 0,
          MessageSystemAttributeNames: ['All'],
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        },
        where,
      );
      batch.push(...(r.Messages ?? []));
      if (!m.windowS) break;
    } while (batch.length < m.batchSize && Date.now() - started < m.windowS * 1000 && !stopped());
    if (!batch.length) return false;
    const records = batch.map((msg) => ({
      messageId: msg.MessageId,
      receiptHandle: msg.ReceiptHandle,
      body: msg.Body,
      attributes: msg.Attributes ?? {},
      messageAttributes: Object.fromEntries(
        Object.entries(msg.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          {
            ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
            ...(v.BinaryValue ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
            stringListValues: [],
            binaryListValues: [],
            dataType: v.DataType,
          },
        ]),
      ),
      md5OfBody: msg.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: m.sourceArn,
      awsRegion: region,
    }));
    const patterns = parsePatterns(m.filters.map((Pattern) => ({ Pattern })));
    const keep = records.filter((r) => passes(patterns, { ...r, body: parseOr(r.body) }));
    const del = async (rs: typeof records) => {
      for (let i = 0; i < rs.length; i += 10) {
        const Entries = rs.slice(i, i + 10).map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle }));
        await this.rt.invoke('sqs', 'DeleteMessageBatch', { QueueUrl, Entries }, where);
      }
    };
    await del(records.filter((r) => !keep.includes(r))); // filtered-out messages are deleted, as on AWS
    if (!keep.length) return true;
    let run;
    try {
      run = await this.invoke(m, { Records: keep });
    } catch {
      return false; // throttled: the messages come back after their visibility timeout
    }
    if (run.functionError) return true;
    if (m.responseTypes.includes('ReportBatchItemFailures')) {
      const failed = failedIds(
        run.payload,
        keep.map((r) => r.messageId),
      );
      if (failed === 'all') return true;
      await del(keep.filter((r) => !failed.has(r.messageId)));
      return true;
    }
    await del(keep);
    return true;
  }

  private async pollStream(m: MappingRecord, iterators: Map<string, string>): Promise<boolean> {
    const where = this.where(m);
    const d = await this.rt.invoke<{ StreamDescription: { Shards?: { ShardId: string }[] } }>(
      'dynamodbstreams',
      'DescribeStream',
      { StreamArn: m.sourceArn },
      where,
    );
    let worked = false;
    for (const { ShardId } of d.StreamDescription.Shards ?? []) {
      let it = iterators.get(ShardId);
      if (!it) {
        const pos = m.positions[ShardId];
        const args = pos
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: pos }
          : { ShardIteratorType: m.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON' };
        it = (
          await this.rt.invoke<{ ShardIterator: string }>(
            'dynamodbstreams',
            'GetShardIterator',
            { StreamArn: m.sourceArn, ShardId, ...args },
            where,
          )
        ).ShardIterator;
      }
      const r = await this.rt.invoke<{ Records?: { dynamodb: { SequenceNumber: string } }[]; NextShardIterator?: string }>(
        'dynamodbstreams',
        'GetRecords',
        { ShardIterator: it, Limit: m.batchSize },
        where,
      );
      const records = r.Records ?? [];
      if (!records.length) {
        if (r.NextShardIterator) iterators.set(ShardId, r.NextShardIterator);
        continue;
      }
      worked = true;
      const run = await this.invoke(m, { Records: records.map((rec) => ({ ...rec, eventSourceARN: m.sourceArn })) });
      const cur = this.col.get(m.uuid);
      if (!cur) return false;
      const failures = (cur.failures ?? 0) + (run.functionError ? 1 : 0);
      if (run.functionError && (cur.maxRetries < 0 || failures <= cur.maxRetries)) {
        // retried from the same position
        iterators.delete(ShardId);
        this.col.put(m.uuid, { ...cur, failures, lastResult: 'PROBLEM: Function call failed' });
        continue;
      }
      iterators.set(ShardId, r.NextShardIterator ?? '');
      if (!r.NextShardIterator) iterators.delete(ShardId);
      this.col.put(m.uuid, {
        ...cur,
        failures: 0,
        positions: { ...cur.positions, [ShardId]: records[records.length - 1].dynamodb.SequenceNumber },
        lastResult: 'OK',
      });
    }
    return worked;
  }
}

/** The ids a function reported in batchItemFailures; 'all' when the answer is malformed (AWS then retries the whole batch). */
function failedIds(payload: Buffer, ids: string[]): Set<string> | 'all' {
  const out = parseOr(payload.toString());
  if (out === null || typeof out !== 'object') return new Set();
  const list = (out as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return 'all';
  const failed = new Set<string>();
  for (const f of list) {
    const id = (f as { itemIdentifier?: unknown })?.itemIdentifier;
    if (typeof id !== 'string' || !ids.includes(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

function parseOr(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
