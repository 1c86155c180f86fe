// Discoverers: a started discoverer on an event bus infers the schema of each kind of event put on
// the bus (source and detail-type) into the discovered-schemas registry, a new version when the
// shape changes. EventBridge shows the events through rt.integrations.schemas; GetDiscoveredSchema
// infers from events given.
import { ServiceError, type RequestContext, type Runtime } from '../../kit.js';
import type { SchemasProvider } from '../../generated/schemas.js';
import { discover, discoveredName } from './infer.js';
import { DISCOVERED, ensureRegistry, err, notFound, putVersion, schemaStores, type DiscovererRecord } from './registry.js';

const idOf = (busArn: string) => `events-event-bus-${busArn.split('/').slice(1).join('/')}`;

export function discovererHandlers(rt: Runtime): SchemasProvider {
  const stores = schemaStores(rt);
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);

  rt.integrations.schemas = {
    observe(account, region, busArn, event) {
      const store = stores.get(account, region);
      const d = store.discoverers.get(idOf(busArn));
      if (!d || d.state !== 'STARTED') return;
      if (typeof event.source !== 'string' || typeof event['detail-type'] !== 'string') return;
      const content = discover([event as never], 'OpenApi3');
      ensureRegistry(store, account, region, DISCOVERED);
      putVersion(
        store,
        account,
        region,
        DISCOVERED,
        discoveredName(event.source, event['detail-type']),
        'OpenApi3',
        content,
        rt.clock.now(),
      );
    },
  };

  const discoverer = (ctx: RequestContext, id: string) => {
    const d = storeOf(ctx).discoverers.get(id);
    if (!d) throw notFound(`Discoverer with id ${id} does not exist.`);
    return d;
  };
  const shown = (d: DiscovererRecord) => ({
    Description: d.description,
    DiscovererArn: d.arn,
    DiscovererId: d.id,
    SourceArn: d.source,
    State: d.state,
    CrossAccount: d.crossAccount,
    Tags: d.tags,
  });
  const setState = (ctx: RequestContext, id: string, state: DiscovererRecord['state']) => {
    const d = { ...discoverer(ctx, id), state };
    storeOf(ctx).discoverers.put(id, d);
    return { DiscovererId: id, State: state };
  };

  return {
    CreateDiscoverer: async ({ SourceArn, Description, CrossAccount, Tags }, ctx) => {
      const m = /^arn:aws[\w-]*:events:([^:]*):(\d{12}):event-bus\/(.+)$/.exec(SourceArn);
      if (!m) throw err('BadRequestException', `Invalid SourceArn ${SourceArn}: it must be an event bus ARN.`);
      if (m[2] !== ctx.account || m[1] !== ctx.region)
        throw err('BadRequestException', "The event bus must be in the discoverer's account and region.");
      try {
        await rt.invoke('events', 'DescribeEventBus', { Name: m[3] }, { account: ctx.account, region: ctx.region });
      } catch (e) {
        if (e instanceof ServiceError && e.code === 'ResourceNotFoundException')
          throw err('BadRequestException', `Event bus ${m[3]} does not exist.`);
        throw e;
      }
      const store = storeOf(ctx);
      const id = idOf(SourceArn);
      if (store.discoverers.has(id)) throw err('ConflictException', `Discoverer for ${SourceArn} already exists.`);
      const d: DiscovererRecord = {
        id,
        arn: `arn:aws:schemas:${ctx.region}:${ctx.account}:discoverer/${id}`,
        source: SourceArn,
        description: Description,
        state: 'STARTED',
        crossAccount: CrossAccount ?? true,
        tags: Tags ?? {},
      };
      store.discoverers.put(id, d);
      ensureRegistry(store, ctx.account, ctx.region, DISCOVERED);
      return shown(d);
    },
    DescribeDiscoverer: ({ DiscovererId }, ctx) => shown(discoverer(ctx, DiscovererId)),
    UpdateDiscoverer: ({ DiscovererId, Description, CrossAccount }, ctx) => {
      const cur = discoverer(ctx, DiscovererId);
      const d = { ...cur, description: Description ?? cur.description, crossAccount: CrossAccount ?? cur.crossAccount };
      storeOf(ctx).discoverers.put(DiscovererId, d);
      return shown(d);
    },
    DeleteDiscoverer: ({ DiscovererId }, ctx) => {
      discoverer(ctx, DiscovererId);
      storeOf(ctx).discoverers.delete(DiscovererId);
    },
    ListDiscoverers: ({ DiscovererIdPrefix, SourceArnPrefix, NextToken, Limit }, ctx) => {
      const all = [...storeOf(ctx).discoverers.scan({ prefix: DiscovererIdPrefix ?? '' })]
        .map(([, d]) => d)
        .filter((d) => !SourceArnPrefix || d.source.startsWith(SourceArnPrefix));
      const start = NextToken ? Number(Buffer.from(NextToken, 'base64url').toString()) : 0;
      const end = start + (Limit ?? 100);
      return {
        Discoverers: all.slice(start, end).map(shown),
        NextToken: end < all.length ? Buffer.from(String(end)).toString('base64url') : undefined,
      };
    },
    StartDiscoverer: ({ DiscovererId }, ctx) => setState(ctx, DiscovererId, 'STARTED'),
    StopDiscoverer: ({ DiscovererId }, ctx) => setState(ctx, DiscovererId, 'STOPPED'),

    GetDiscoveredSchema: ({ Events, Type }) => {
      const parsed = Events.map((e) => {
        try {
          return JSON.parse(e);
        } catch {
          throw err('BadRequestException', 'Events must be valid JSON.');
        }
      });
      return { Content: discover(parsed, Type) };
    },
  };
}
