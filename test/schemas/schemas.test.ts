// The EventBridge schema registry through the SDK v3 (@aws-sdk/client-schemas): registries,
// schemas and versions with their content checked, search, export, resource policies, tags, and a
// discoverer inferring schemas from the events put on a bus.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SchemasClient,
  CreateRegistryCommand,
  DescribeRegistryCommand,
  ListRegistriesCommand,
  UpdateRegistryCommand,
  DeleteRegistryCommand,
  CreateSchemaCommand,
  DescribeSchemaCommand,
  UpdateSchemaCommand,
  ListSchemasCommand,
  ListSchemaVersionsCommand,
  DeleteSchemaVersionCommand,
  DeleteSchemaCommand,
  SearchSchemasCommand,
  ExportSchemaCommand,
  PutResourcePolicyCommand,
  GetResourcePolicyCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
  UntagResourceCommand,
  CreateDiscovererCommand,
  DescribeDiscovererCommand,
  StopDiscovererCommand,
  StartDiscovererCommand,
  ListDiscoverersCommand,
  DeleteDiscovererCommand,
  GetDiscoveredSchemaCommand,
} from '@aws-sdk/client-schemas';
import { EventBridgeClient, CreateEventBusCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { clientConfig, rejects, serverForFile } from '../helpers.js';

let schemas: SchemasClient;
let eb: EventBridgeClient;
const nimbus = serverForFile(() => {
  schemas = new SchemasClient(clientConfig(nimbus.url));
  eb = new EventBridgeClient(clientConfig(nimbus.url));
});

const openapi = (props: Record<string, unknown>) =>
  JSON.stringify({
    openapi: '3.0.0',
    info: { version: '1.0.0', title: 'Order' },
    paths: {},
    components: {
      schemas: {
        AWSEvent: { type: 'object', properties: { detail: { $ref: '#/components/schemas/Order' } } },
        Order: { type: 'object', properties: props },
      },
    },
  });

test('registries and schemas: versions on content change, describe by version, list, search, export to JSON Schema, delete', async () => {
  const reg = await schemas.send(new CreateRegistryCommand({ RegistryName: 'shop', Description: 'shop events', Tags: { team: 'a' } }));
  assert.equal(reg.RegistryArn, 'arn:aws:schemas:us-east-1:000000000000:registry/shop');
  await rejects(schemas.send(new CreateRegistryCommand({ RegistryName: 'shop' })), 'ConflictException', 409);
  assert.equal((await schemas.send(new DescribeRegistryCommand({ RegistryName: 'shop' }))).Description, 'shop events');
  await schemas.send(new UpdateRegistryCommand({ RegistryName: 'shop', Description: 'all shop events' }));
  assert.ok(
    (await schemas.send(new ListRegistriesCommand({ RegistryNamePrefix: 'sh' }))).Registries!.some((r) => r.RegistryName === 'shop'),
  );

  const created = await schemas.send(
    new CreateSchemaCommand({
      RegistryName: 'shop',
      SchemaName: 'OrderPlaced',
      Type: 'OpenApi3',
      Content: openapi({ id: { type: 'string' } }),
    }),
  );
  assert.equal(created.SchemaVersion, '1');
  assert.equal(created.SchemaArn, 'arn:aws:schemas:us-east-1:000000000000:schema/shop/OrderPlaced');
  const same = await schemas.send(
    new UpdateSchemaCommand({ RegistryName: 'shop', SchemaName: 'OrderPlaced', Description: 'no new content' }),
  );
  assert.equal(same.SchemaVersion, '1');
  const v2 = await schemas.send(
    new UpdateSchemaCommand({
      RegistryName: 'shop',
      SchemaName: 'OrderPlaced',
      Content: openapi({ id: { type: 'string' }, total: { type: 'number' } }),
    }),
  );
  assert.equal(v2.SchemaVersion, '2');
  assert.match(
    (await schemas.send(new DescribeSchemaCommand({ RegistryName: 'shop', SchemaName: 'OrderPlaced', SchemaVersion: '1' }))).Content!,
    /"id"/,
  );
  assert.match((await schemas.send(new DescribeSchemaCommand({ RegistryName: 'shop', SchemaName: 'OrderPlaced' }))).Content!, /"total"/);
  assert.deepEqual(
    (await schemas.send(new ListSchemaVersionsCommand({ RegistryName: 'shop', SchemaName: 'OrderPlaced' }))).SchemaVersions!.map(
      (v) => v.SchemaVersion,
    ),
    ['1', '2'],
  );
  await schemas.send(
    new CreateSchemaCommand({
      RegistryName: 'shop',
      SchemaName: 'Refund',
      Type: 'JSONSchemaDraft4',
      Content: JSON.stringify({
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        properties: { amount: { type: 'number' } },
      }),
    }),
  );
  const listed = await schemas.send(new ListSchemasCommand({ RegistryName: 'shop' }));
  assert.deepEqual(
    listed.Schemas!.map((s) => [s.SchemaName, s.VersionCount]),
    [
      ['OrderPlaced', 2],
      ['Refund', 1],
    ],
  );
  const found = await schemas.send(new SearchSchemasCommand({ RegistryName: 'shop', Keywords: 'order' }));
  assert.deepEqual(
    found.Schemas!.map((s) => s.SchemaName),
    ['OrderPlaced'],
  );
  assert.equal(found.Schemas![0].SchemaVersions!.length, 2);

  const exported = await schemas.send(
    new ExportSchemaCommand({ RegistryName: 'shop', SchemaName: 'OrderPlaced', Type: 'JSONSchemaDraft4' }),
  );
  const doc = JSON.parse(exported.Content!);
  assert.equal(doc.$schema, 'http://json-schema.org/draft-04/schema#');
  assert.equal(doc.properties.detail.$ref, '#/definitions/Order');
  assert.deepEqual(doc.definitions.Order.properties.total, { type: 'number' });

  await schemas.send(new DeleteSchemaVersionCommand({ RegistryName: 'shop', SchemaName: 'OrderPlaced', SchemaVersion: '1' }));
  await rejects(
    schemas.send(new DescribeSchemaCommand({ RegistryName: 'shop', SchemaName: 'OrderPlaced', SchemaVersion: '1' })),
    'NotFoundException',
    404,
  );
  await schemas.send(new DeleteSchemaCommand({ RegistryName: 'shop', SchemaName: 'Refund' }));
  await rejects(schemas.send(new DescribeSchemaCommand({ RegistryName: 'shop', SchemaName: 'Refund' })), 'NotFoundException', 404);
  await schemas.send(new DeleteRegistryCommand({ RegistryName: 'shop' }));
  await rejects(schemas.send(new DescribeRegistryCommand({ RegistryName: 'shop' })), 'NotFoundException', 404);
});

test('content is checked for its type: not JSON, not OpenAPI 3, a dangling reference, a bad draft-4 type', async () => {
  await schemas.send(new CreateRegistryCommand({ RegistryName: 'checks' }));
  const create = (Type: 'OpenApi3' | 'JSONSchemaDraft4', Content: string, SchemaName = 'x') =>
    schemas.send(new CreateSchemaCommand({ RegistryName: 'checks', SchemaName, Type, Content }));
  await rejects(create('OpenApi3', 'not json'), 'BadRequestException', 400);
  await rejects(create('OpenApi3', JSON.stringify({ openapi: '2.0', info: { title: 't', version: '1' } })), 'BadRequestException', 400);
  await rejects(create('OpenApi3', JSON.stringify({ openapi: '3.0.0' })), 'BadRequestException', 400);
  await rejects(
    create(
      'OpenApi3',
      JSON.stringify({
        openapi: '3.0.0',
        info: { title: 't', version: '1' },
        components: { schemas: { A: { $ref: '#/components/schemas/B' } } },
      }),
    ),
    'BadRequestException',
    400,
    (e) => assert.match(String(e.message), /unresolvable reference/),
  );
  await rejects(create('JSONSchemaDraft4', JSON.stringify({ type: 'thing' })), 'BadRequestException', 400);
  await rejects(
    create('JSONSchemaDraft4', JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#' })),
    'BadRequestException',
    400,
  );
  await rejects(
    schemas.send(new CreateSchemaCommand({ RegistryName: 'nope', SchemaName: 'x', Type: 'OpenApi3', Content: openapi({}) })),
    'NotFoundException',
    404,
  );
  await create('OpenApi3', openapi({}), 'fine');
  await rejects(create('OpenApi3', openapi({}), 'fine'), 'ConflictException', 409);
});

test('resource policies and tags on registries and schemas', async () => {
  await schemas.send(new CreateRegistryCommand({ RegistryName: 'shared' }));
  await rejects(schemas.send(new GetResourcePolicyCommand({ RegistryName: 'shared' })), 'NotFoundException', 404);
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'schemas:*', Resource: '*' }],
  });
  const put = await schemas.send(new PutResourcePolicyCommand({ RegistryName: 'shared', Policy: policy }));
  assert.ok(put.RevisionId);
  const got = await schemas.send(new GetResourcePolicyCommand({ RegistryName: 'shared' }));
  assert.deepEqual(JSON.parse(got.Policy as unknown as string), JSON.parse(policy));
  await rejects(
    schemas.send(new PutResourcePolicyCommand({ RegistryName: 'shared', Policy: policy, RevisionId: 'stale' })),
    'PreconditionFailedException',
    412,
  );
  const arn = 'arn:aws:schemas:us-east-1:000000000000:registry/shared';
  await schemas.send(new TagResourceCommand({ ResourceArn: arn, Tags: { a: '1', b: '2' } }));
  await schemas.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a'] }));
  assert.deepEqual((await schemas.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, { b: '2' });
});

test('a discoverer on a bus infers each kind of event into discovered-schemas, a new version when the shape changes; stopped, it sees nothing', async () => {
  const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: 'observed' }));
  const d = await schemas.send(new CreateDiscovererCommand({ SourceArn: EventBusArn, Description: 'watch' }));
  assert.equal(d.DiscovererId, 'events-event-bus-observed');
  assert.equal(d.State, 'STARTED');
  await rejects(schemas.send(new CreateDiscovererCommand({ SourceArn: EventBusArn })), 'ConflictException', 409);
  await rejects(
    schemas.send(new CreateDiscovererCommand({ SourceArn: 'arn:aws:events:us-east-1:000000000000:event-bus/none' })),
    'BadRequestException',
    400,
  );
  assert.equal((await schemas.send(new ListDiscoverersCommand({ SourceArnPrefix: EventBusArn }))).Discoverers!.length, 1);

  const put = (detail: unknown, type = 'Order Placed') =>
    eb.send(
      new PutEventsCommand({
        Entries: [{ Source: 'shop.orders', DetailType: type, Detail: JSON.stringify(detail), EventBusName: 'observed' }],
      }),
    );
  await put({ id: 'o-1', total: 12.5, lines: [{ sku: 'a', qty: 1 }], paid: true });
  await put({ id: 'o-2', total: 3, lines: [{ sku: 'b', qty: 2 }], paid: false });
  const s1 = await schemas.send(new DescribeSchemaCommand({ RegistryName: 'discovered-schemas', SchemaName: 'shop.orders@OrderPlaced' }));
  assert.equal(s1.SchemaVersion, '1', 'the same shape makes no new version');
  assert.equal(s1.Type, 'OpenApi3');
  const doc = JSON.parse(s1.Content!);
  assert.equal(doc.components.schemas.AWSEvent['x-amazon-events-source'], 'shop.orders');
  assert.equal(doc.components.schemas.AWSEvent['x-amazon-events-detail-type'], 'Order Placed');
  assert.equal(doc.components.schemas.AWSEvent.properties.detail.$ref, '#/components/schemas/OrderPlaced');
  const order = doc.components.schemas.OrderPlaced;
  assert.deepEqual(order.properties.total, { type: 'number' });
  assert.deepEqual(order.properties.paid, { type: 'boolean' });
  assert.deepEqual(order.properties.lines, { type: 'array', items: { $ref: '#/components/schemas/Lines' } });
  assert.deepEqual(doc.components.schemas.Lines.properties.sku, { type: 'string' });

  await put({ id: 'o-3', total: 1, lines: [], paid: true, coupon: 'X' });
  assert.equal(
    (await schemas.send(new DescribeSchemaCommand({ RegistryName: 'discovered-schemas', SchemaName: 'shop.orders@OrderPlaced' })))
      .SchemaVersion,
    '2',
  );

  await schemas.send(new StopDiscovererCommand({ DiscovererId: d.DiscovererId }));
  assert.equal((await schemas.send(new DescribeDiscovererCommand({ DiscovererId: d.DiscovererId }))).State, 'STOPPED');
  await put({ x: 1 }, 'Other Thing');
  await rejects(
    schemas.send(new DescribeSchemaCommand({ RegistryName: 'discovered-schemas', SchemaName: 'shop.orders@OtherThing' })),
    'NotFoundException',
    404,
  );
  await schemas.send(new StartDiscovererCommand({ DiscovererId: d.DiscovererId }));
  await put({ x: 1 }, 'Other Thing');
  assert.equal(
    (await schemas.send(new DescribeSchemaCommand({ RegistryName: 'discovered-schemas', SchemaName: 'shop.orders@OtherThing' })))
      .SchemaVersion,
    '1',
  );
  await schemas.send(new DeleteDiscovererCommand({ DiscovererId: d.DiscovererId }));
  await rejects(schemas.send(new DescribeDiscovererCommand({ DiscovererId: d.DiscovererId })), 'NotFoundException', 404);
});

test('GetDiscoveredSchema infers OpenAPI 3 and JSON Schema draft 4 from events given', async () => {
  const event = JSON.stringify({
    version: '0',
    id: '1',
    'detail-type': 'Thing Happened',
    source: 'app',
    account: '000000000000',
    time: '2024-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { at: '2024-01-01T00:00:00Z', n: 1 },
  });
  const o = JSON.parse((await schemas.send(new GetDiscoveredSchemaCommand({ Events: [event], Type: 'OpenApi3' }))).Content!);
  assert.equal(o.openapi, '3.0.0');
  assert.deepEqual(o.components.schemas.ThingHappened.properties.at, { type: 'string', format: 'date-time' });
  const j = JSON.parse((await schemas.send(new GetDiscoveredSchemaCommand({ Events: [event], Type: 'JSONSchemaDraft4' }))).Content!);
  assert.equal(j.$schema, 'http://json-schema.org/draft-04/schema#');
  assert.equal(j.properties.detail.$ref, '#/definitions/ThingHappened');
  await rejects(schemas.send(new GetDiscoveredSchemaCommand({ Events: ['{nope'], Type: 'OpenApi3' })), 'BadRequestException', 400);
});
