// Dashboards (global to the account, as in AWS): PutDashboard with DashboardBody checks answered as
// DashboardValidationMessages, GetDashboard, ListDashboards (prefix, paging), DeleteDashboards.
import { ServiceError, type Stores, type RequestContext } from '../../kit.js';
import type { CloudwatchProvider, DashboardValidationMessage, DashboardEntry } from '../../generated/cloudwatch.js';
import type { CloudWatchStore } from './store.js';

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const WIDGET_TYPES = ['metric', 'text', 'log', 'alarm', 'explorer', 'custom'];
const PAGE = 1000;

/** The problems of a dashboard body: JSON paths and messages as DashboardValidationMessages. */
export function checkDashboardBody(body: string): DashboardValidationMessage[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    return [{ DataPath: '', Message: `Invalid JSON: ${(e as Error).message}` }];
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return [{ DataPath: '', Message: 'Should be object' }];
  const out: DashboardValidationMessage[] = [];
  const d = doc as Record<string, unknown>;
  if (!('widgets' in d)) out.push({ DataPath: '', Message: "Should have required property 'widgets'" });
  else if (!Array.isArray(d.widgets)) out.push({ DataPath: '/widgets', Message: 'Should be array' });
  else {
    d.widgets.forEach((w, i) => {
      const at = `/widgets/${i}`;
      if (typeof w !== 'object' || w === null || Array.isArray(w)) return out.push({ DataPath: at, Message: 'Should be object' });
      const widget = w as Record<string, unknown>;
      if (!('type' in widget)) out.push({ DataPath: at, Message: "Should have required property 'type'" });
      else if (!WIDGET_TYPES.includes(widget.type as string))
        out.push({ DataPath: `${at}/type`, Message: `Should be equal to one of the allowed values [${WIDGET_TYPES.join(', ')}]` });
      if (!('properties' in widget)) out.push({ DataPath: at, Message: "Should have required property 'properties'" });
      else if (typeof widget.properties !== 'object' || widget.properties === null)
        out.push({ DataPath: `${at}/properties`, Message: 'Should be object' });
      else if (widget.type === 'text' && typeof (widget.properties as Record<string, unknown>).markdown !== 'string')
        out.push({ DataPath: `${at}/properties`, Message: "Should have required property 'markdown'" });
      for (const k of ['x', 'y', 'width', 'height']) {
        if (k in widget && (typeof widget[k] !== 'number' || !Number.isInteger(widget[k]) || (widget[k] as number) < 0))
          out.push({ DataPath: `${at}/${k}`, Message: 'Should be integer >= 0' });
      }
      return undefined;
    });
  }
  for (const k of ['start', 'end', 'periodOverride'])
    if (k in d && typeof d[k] !== 'string') out.push({ DataPath: `/${k}`, Message: 'Should be string' });
  return out;
}

export function dashboardHandlers(stores: Stores<CloudWatchStore>): Partial<CloudwatchProvider> {
  const storeOf = (ctx: RequestContext) => stores.global(ctx.account);
  const arnOf = (ctx: RequestContext, name: string) => `arn:aws:cloudwatch::${ctx.account}:dashboard/${name}`;
  const notFound = (name: string) => new ServiceError('DashboardNotFoundError', `Dashboard ${name} does not exist`, 404);
  return {
    PutDashboard: (input, ctx) => {
      if (!NAME.test(input.DashboardName))
        throw new ServiceError(
          'InvalidParameterValue',
          `The value ${input.DashboardName} for parameter DashboardName is invalid. It may contain only alphanumerics, dash (-) and underscore (_).`,
          400,
        );
      const problems = checkDashboardBody(input.DashboardBody);
      if (problems.length)
        throw new ServiceError('InvalidParameterInput', 'The field DashboardBody must be a valid JSON object', 400, {
          dashboardValidationMessages: problems,
        });
      storeOf(ctx).dashboards.put(input.DashboardName, {
        name: input.DashboardName,
        body: input.DashboardBody,
        modified: ctx.clock.nowMs(),
      });
      return { DashboardValidationMessages: [] };
    },
    GetDashboard: (input, ctx) => {
      const d = storeOf(ctx).dashboards.get(input.DashboardName);
      if (!d) throw notFound(input.DashboardName);
      return { DashboardArn: arnOf(ctx, d.name), DashboardBody: d.body, DashboardName: d.name };
    },
    ListDashboards: (input, ctx) => {
      const after = input.NextToken ? Buffer.from(input.NextToken, 'base64url').toString() : undefined;
      const entries: DashboardEntry[] = [];
      let more = false;
      for (const [name, d] of storeOf(ctx).dashboards.scan({ prefix: input.DashboardNamePrefix, after })) {
        if (entries.length === PAGE) {
          more = true;
          break;
        }
        entries.push({
          DashboardName: name,
          DashboardArn: arnOf(ctx, name),
          LastModified: new Date(d.modified),
          Size: Buffer.byteLength(d.body),
        });
      }
      const last = entries[entries.length - 1]?.DashboardName;
      return { DashboardEntries: entries, ...(more && last ? { NextToken: Buffer.from(last).toString('base64url') } : {}) };
    },
    DeleteDashboards: (input, ctx) => {
      const store = storeOf(ctx);
      const missing = input.DashboardNames.find((n) => !store.dashboards.has(n));
      if (missing !== undefined) throw notFound(missing);
      input.DashboardNames.forEach((n) => store.dashboards.delete(n));
      return {};
    },
  };
}
