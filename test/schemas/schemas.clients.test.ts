// The schema registry through the AWS CLI v1 and v2 and boto3: a discoverer on the default bus,
// put-events, the discovered schema; a registry and a schema created and described.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AWS_CLI_V1, AWS_CLI_V2, runCli, serverForFile } from '../helpers.js';

const nimbus = serverForFile();

test('CLI v2: create-discoverer on the default bus, put-events, describe-schema of the discovered schema', async () => {
  const aws = async (...args: string[]) => {
    const r = await runCli(AWS_CLI_V2, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim() ? JSON.parse(r.stdout) : {};
  };
  const d = await aws('schemas', 'create-discoverer', '--source-arn', 'arn:aws:events:us-east-1:000000000000:event-bus/default');
  assert.equal(d.State, 'STARTED');
  await aws('events', 'put-events', '--entries', JSON.stringify([{ Source: 'shop', DetailType: 'Order Placed', Detail: '{"id":"o-1"}' }]));
  const s = await aws('schemas', 'describe-schema', '--registry-name', 'discovered-schemas', '--schema-name', 'shop@OrderPlaced');
  assert.equal(s.SchemaVersion, '1');
  assert.deepEqual(JSON.parse(s.Content).components.schemas.OrderPlaced.properties.id, { type: 'string' });
});

test('CLI v1: create-registry, create-schema, list-schemas; a missing registry is NotFoundException', async () => {
  const aws = (...args: string[]) => runCli(AWS_CLI_V1, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
  assert.equal((await aws('schemas', 'create-registry', '--registry-name', 'cli1')).code, 0);
  const content = JSON.stringify({ openapi: '3.0.0', info: { title: 'T', version: '1' }, paths: {} });
  const created = await aws(
    'schemas',
    'create-schema',
    '--registry-name',
    'cli1',
    '--schema-name',
    'T',
    '--type',
    'OpenApi3',
    '--content',
    content,
  );
  assert.equal(created.code, 0, created.stderr);
  assert.equal(JSON.parse(created.stdout).SchemaVersion, '1');
  const listed = JSON.parse((await aws('schemas', 'list-schemas', '--registry-name', 'cli1')).stdout);
  assert.deepEqual(
    listed.Schemas.map((x: { SchemaName: string }) => x.SchemaName),
    ['T'],
  );
  const missing = await aws('schemas', 'describe-registry', '--registry-name', 'none');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NotFoundException/);
});

test('boto3: get_discovered_schema and a schema with versions', async () => {
  const script = `
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
s = boto3.client("schemas", **kw)
event = json.dumps({"version": "0", "id": "1", "detail-type": "Thing", "source": "app", "account": "000000000000", "time": "2024-01-01T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {"n": 1}})
content = s.get_discovered_schema(Events=[event], Type="OpenApi3")["Content"]
s.create_registry(RegistryName="boto")
s.create_schema(RegistryName="boto", SchemaName="Thing", Type="OpenApi3", Content=content)
s.update_schema(RegistryName="boto", SchemaName="Thing", Content=content.replace('"number"', '"string"'))
versions = [v["SchemaVersion"] for v in s.list_schema_versions(RegistryName="boto", SchemaName="Thing")["SchemaVersions"]]
try:
    s.create_schema(RegistryName="boto", SchemaName="Bad", Type="OpenApi3", Content="{}")
    code = None
except s.exceptions.BadRequestException as e:
    code = e.response["Error"]["Code"]
print(json.dumps({"versions": versions, "code": code, "n": json.loads(content)["components"]["schemas"]["Thing"]["properties"]["n"]}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { versions: ['1', '2'], code: 'BadRequestException', n: { type: 'number' } });
});
