// Metric streams: Put/Get/List/DeleteMetricStream and Start/StopMetricStreams with CloudWatch's checks
// (Firehose and role ARNs, include or exclude filters, output formats, statistics configurations).
// Firehose is not served by Nimbus: a stream is configuration and state only; nothing is delivered.
import { ServiceError, type RequestContext, type Stores } from '../../kit.js';
import type { CloudwatchProvider, GetMetricStreamOutput, MetricStreamFilter, PutMetricStreamInput } from '../../generated/cloudwatch.js';
import type { CloudWatchStore, StreamRecord } from './store.js';

const FORMATS = ['json', 'opentelemetry0.7', 'opentelemetry1.0'];
const FIREHOSE = /^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/[A-Za-z0-9_.-]{1,64}$/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** the statistics OpenTelemetry formats accept beyond the defaults; json takes any percentile too */
const OTEL_STATS = /^p(\d{1,2}(\.\d{0,10})?|100)$/;
const invalid = (value: string, param: string) =>
  new ServiceError('InvalidParameterValue', `The value ${value} for parameter ${param} is invalid.`, 400);

function checkFilters(filters: MetricStreamFilter[] | undefined, param: string): void {
  if ((filters?.length ?? 0) > 1000)
    throw new ServiceError('InvalidParameterValue', `The collection ${param} must not have a size greater than 1000.`, 400);
  filters?.forEach((f, i) => {
    if (!f.Namespace) throw new ServiceError('MissingParameter', `The parameter ${param}.member.${i + 1}.Namespace is required.`, 400);
    if (f.MetricNames?.some((m) => !m)) throw invalid('', `${param}.member.${i + 1}.MetricNames`);
  });
}

export function checkStream(input: PutMetricStreamInput): void {
  if (!NAME.test(input.Name)) throw invalid(input.Name, 'Name');
  if (!FIREHOSE.test(input.FirehoseArn)) throw invalid(input.FirehoseArn, 'FirehoseArn');
  if (!ROLE.test(input.RoleArn)) throw invalid(input.RoleArn, 'RoleArn');
  if (!FORMATS.includes(input.OutputFormat)) throw invalid(input.OutputFormat, 'OutputFormat');
  if (input.IncludeFilters?.length && input.ExcludeFilters?.length) {
    throw new ServiceError('InvalidParameterCombination', 'The parameters IncludeFilters and ExcludeFilters are mutually exclusive.', 400);
  }
  checkFilters(input.IncludeFilters, 'IncludeFilters');
  checkFilters(input.ExcludeFilters, 'ExcludeFilters');
  for (const c of input.StatisticsConfigurations ?? []) {
    for (const stat of c.AdditionalStatistics ?? []) {
      const ok = input.OutputFormat === 'json' ? /^(p|tm|tc|ts|wm|TM|TC|TS|WM|PR)\(?[\d.:%]+\)?$|^IQM$/.test(stat) : OTEL_STATS.test(stat);
      if (!ok) throw invalid(stat, 'StatisticsConfigurations.AdditionalStatistics');
    }
  }
}

export function streamHandlers(stores: Stores<CloudWatchStore>): Partial<CloudwatchProvider> {
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const view = (s: StreamRecord): GetMetricStreamOutput => {
    const { created, updated, tags: _tags, ...rest } = s;
    return { ...rest, CreationDate: new Date(created), LastUpdateDate: new Date(updated) };
  };
  const setState = (ctx: RequestContext, names: string[], state: 'running' | 'stopped') => {
    if (!names.length) throw new ServiceError('MissingParameter', 'The parameter Names is required.', 400);
    const store = storeOf(ctx);
    for (const name of names) {
      const s = store.streams.get(name);
      if (s && s.State !== state) store.streams.put(name, { ...s, State: state, updated: ctx.clock.nowMs() });
    }
    return {};
  };

  return {
    PutMetricStream: (input, ctx) => {
      checkStream(input);
      const store = storeOf(ctx);
      const prev = store.streams.get(input.Name);
      const now = ctx.clock.nowMs();
      const arn = `arn:aws:cloudwatch:${ctx.region}:${ctx.account}:metric-stream/${input.Name}`;
      store.streams.put(input.Name, {
        Arn: arn,
        Name: input.Name,
        FirehoseArn: input.FirehoseArn,
        RoleArn: input.RoleArn,
        OutputFormat: input.OutputFormat,
        IncludeFilters: input.IncludeFilters ?? [],
        ExcludeFilters: input.ExcludeFilters ?? [],
        StatisticsConfigurations: input.StatisticsConfigurations ?? [],
        IncludeLinkedAccountsMetrics: input.IncludeLinkedAccountsMetrics ?? false,
        State: prev?.State ?? 'running',
        created: prev?.created ?? now,
        updated: now,
        tags: prev?.tags ?? Object.fromEntries((input.Tags ?? []).map((t) => [t.Key, t.Value])),
      });
      return { Arn: arn };
    },

    GetMetricStream: (input, ctx) => {
      const s = storeOf(ctx).streams.get(input.Name);
      if (!s)
        throw new ServiceError('ResourceNotFoundException', `The metric stream ${input.Name} does not exist.`, 404, {
          ResourceType: 'MetricStream',
          ResourceId: input.Name,
        });
      return view(s);
    },

    ListMetricStreams: (input, ctx) => {
      const max = input.MaxResults ?? 500;
      if (max < 1 || max > 500) throw invalid(String(max), 'MaxResults');
      const all = [...storeOf(ctx).streams.scan()].map(([, s]) => s);
      const start = input.NextToken ? all.findIndex((s) => s.Name > Buffer.from(input.NextToken!, 'base64url').toString()) : 0;
      const page = start < 0 ? [] : all.slice(start, start + max);
      const more = start >= 0 && start + max < all.length;
      return {
        Entries: page.map((s) => ({
          Arn: s.Arn,
          Name: s.Name,
          FirehoseArn: s.FirehoseArn,
          State: s.State,
          OutputFormat: s.OutputFormat,
          CreationDate: new Date(s.created),
          LastUpdateDate: new Date(s.updated),
        })),
        ...(more ? { NextToken: Buffer.from(page.at(-1)!.Name).toString('base64url') } : {}),
      };
    },

    DeleteMetricStream: (input, ctx) => {
      storeOf(ctx).streams.delete(input.Name);
      return {};
    },

    StartMetricStreams: (input, ctx) => setState(ctx, input.Names ?? [], 'running'),
    StopMetricStreams: (input, ctx) => setState(ctx, input.Names ?? [], 'stopped'),
  };
}
