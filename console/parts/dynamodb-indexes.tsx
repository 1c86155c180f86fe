// DynamoDB global secondary indexes (created and deleted with UpdateTable) and the table's stream
// (enabled with a view type, or disabled, with UpdateTable's StreamSpecification).
import { useState } from 'preact/hooks';
import {
  DynamoDBClient,
  UpdateTableCommand,
  type ScalarAttributeType,
  type StreamViewType,
  type TableDescription,
  type AttributeDefinition,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { Copy, ErrorBox, Field, Form, useAction } from '../lib/ui.js';
import { DeleteButton } from '../lib/form.js';
import { ResourceTable } from '../lib/table.js';

const val = (e: Event) => (e.target as HTMLInputElement).value;
const TYPES: ScalarAttributeType[] = ['S', 'N', 'B'];

export function Indexes({ ddb, desc, onChange }: { ddb: DynamoDBClient; desc: TableDescription; onChange: () => void }) {
  const [f, setF] = useState({ name: '', pk: '', pkType: 'S', sk: '', skType: 'S', projection: 'ALL' });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: val(e) });
  const act = useAction();
  const provisioned = (desc.BillingModeSummary?.BillingMode ?? 'PROVISIONED') === 'PROVISIONED';
  const create = () =>
    act.run(async () => {
      const defs: AttributeDefinition[] = [{ AttributeName: f.pk, AttributeType: f.pkType as ScalarAttributeType }];
      const keys: KeySchemaElement[] = [{ AttributeName: f.pk, KeyType: 'HASH' }];
      if (f.sk) {
        defs.push({ AttributeName: f.sk, AttributeType: f.skType as ScalarAttributeType });
        keys.push({ AttributeName: f.sk, KeyType: 'RANGE' });
      }
      await ddb.send(
        new UpdateTableCommand({
          TableName: desc.TableName,
          AttributeDefinitions: defs,
          GlobalSecondaryIndexUpdates: [
            {
              Create: {
                IndexName: f.name,
                KeySchema: keys,
                Projection: { ProjectionType: f.projection as 'ALL' | 'KEYS_ONLY' },
                ProvisionedThroughput: provisioned ? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } : undefined,
              },
            },
          ],
        }),
      );
      onChange();
    });
  const drop = async (IndexName: string) => {
    await ddb.send(new UpdateTableCommand({ TableName: desc.TableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName } }] }));
    onChange();
  };
  const list = desc.GlobalSecondaryIndexes ?? [];
  return (
    <div>
      <h3>Global secondary indexes</h3>
      <ResourceTable
        label="Global secondary indexes"
        wrap={false}
        empty="No global secondary indexes."
        rows={list}
        rowKey={(g) => g.IndexName!}
        columns={{
          Index: (g) => g.IndexName,
          Keys: (g) => (g.KeySchema ?? []).map((k) => `${k.AttributeName} (${k.KeyType === 'HASH' ? 'partition' : 'sort'})`).join(', '),
          Projection: (g) => g.Projection?.ProjectionType,
          Status: (g) => g.IndexStatus,
          Items: (g) => g.ItemCount,
          '': (g) => (
            <DeleteButton
              link
              act={act}
              label={`Delete index ${g.IndexName}`}
              confirm={`Delete index ${g.IndexName}?`}
              run={() => drop(g.IndexName!)}
            />
          ),
        }}
      />
      <Form onSubmit={create} label="Create a global secondary index">
        <Field label="Index name">
          <input value={f.name} onInput={set('name')} aria-label="Index name" />
        </Field>
        <Field label="Partition key">
          <input value={f.pk} onInput={set('pk')} aria-label="Index partition key" />
        </Field>
        <Field label="Type">
          <select value={f.pkType} onChange={set('pkType')} aria-label="Index partition key type">
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        <Field label="Sort key (optional)">
          <input value={f.sk} onInput={set('sk')} aria-label="Index sort key" />
        </Field>
        <Field label="Type">
          <select value={f.skType} onChange={set('skType')} aria-label="Index sort key type">
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        <Field label="Projection">
          <select value={f.projection} onChange={set('projection')} aria-label="Projection">
            <option>ALL</option>
            <option>KEYS_ONLY</option>
          </select>
        </Field>
        <button type="submit" disabled={act.busy}>
          Create index
        </button>
      </Form>
      <ErrorBox error={act.error} onDismiss={act.clear} />
    </div>
  );
}

export function Stream({ ddb, desc, onChange }: { ddb: DynamoDBClient; desc: TableDescription; onChange: () => void }) {
  const [view, setView] = useState<StreamViewType>('NEW_AND_OLD_IMAGES');
  const act = useAction();
  const on = !!desc.StreamSpecification?.StreamEnabled;
  const update = (enable: boolean) =>
    act.run(async () => {
      await ddb.send(
        new UpdateTableCommand({
          TableName: desc.TableName,
          StreamSpecification: enable ? { StreamEnabled: true, StreamViewType: view } : { StreamEnabled: false },
        }),
      );
      onChange();
    });
  return (
    <div>
      <h3>Stream</h3>
      {on ? (
        <p data-testid="stream-status">
          Enabled ({desc.StreamSpecification!.StreamViewType}) <Copy value={desc.LatestStreamArn!} label="stream ARN" />{' '}
          <button onClick={() => update(false)} disabled={act.busy}>
            Disable stream
          </button>
        </p>
      ) : (
        <Form onSubmit={() => update(true)} label="Enable the stream">
          <Field label="View type">
            <select value={view} onChange={(e) => setView(val(e) as StreamViewType)} aria-label="Stream view type">
              {['NEW_AND_OLD_IMAGES', 'NEW_IMAGE', 'OLD_IMAGE', 'KEYS_ONLY'].map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </Field>
          <button type="submit" disabled={act.busy}>
            Enable stream
          </button>
        </Form>
      )}
      <ErrorBox error={act.error} onDismiss={act.clear} />
    </div>
  );
}
