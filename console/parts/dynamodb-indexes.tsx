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
import { Copy, useAction } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextField, useFields } from '../lib/form.js';
import { ResourceTable } from '../lib/table.js';

const TYPES: ScalarAttributeType[] = ['S', 'N', 'B'];

export function Indexes({ ddb, desc, onChange }: { ddb: DynamoDBClient; desc: TableDescription; onChange: () => void }) {
  const { values: f, bind } = useFields({ name: '', pk: '', pkType: 'S', sk: '', skType: 'S', projection: 'ALL' });
  const act = useAction();
  const provisioned = (desc.BillingModeSummary?.BillingMode ?? 'PROVISIONED') === 'PROVISIONED';
  const create = async () => {
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
  };
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
      <ActionForm label="Create a global secondary index" submit="Create index" act={act} run={create}>
        <TextField label="Index name" {...bind('name')} />
        <TextField label="Partition key" aria="Index partition key" {...bind('pk')} />
        <TypeSelect aria="Index partition key type" {...bind('pkType')} />
        <TextField label="Sort key (optional)" aria="Index sort key" {...bind('sk')} />
        <TypeSelect aria="Index sort key type" {...bind('skType')} />
        <SelectField label="Projection" {...bind('projection')}>
          <option>ALL</option>
          <option>KEYS_ONLY</option>
        </SelectField>
      </ActionForm>
      <ActionError act={act} />
    </div>
  );
}

const TypeSelect = (p: { aria: string; value: string; onValue: (v: string) => void }) => (
  <SelectField label="Type" {...p}>
    {TYPES.map((t) => (
      <option key={t}>{t}</option>
    ))}
  </SelectField>
);

export function Stream({ ddb, desc, onChange }: { ddb: DynamoDBClient; desc: TableDescription; onChange: () => void }) {
  const [view, setView] = useState<StreamViewType>('NEW_AND_OLD_IMAGES');
  const act = useAction();
  const on = !!desc.StreamSpecification?.StreamEnabled;
  const update = async (enable: boolean) => {
    await ddb.send(
      new UpdateTableCommand({
        TableName: desc.TableName,
        StreamSpecification: enable ? { StreamEnabled: true, StreamViewType: view } : { StreamEnabled: false },
      }),
    );
    onChange();
  };
  return (
    <div>
      <h3>Stream</h3>
      {on ? (
        <p data-testid="stream-status">
          Enabled ({desc.StreamSpecification!.StreamViewType}) <Copy value={desc.LatestStreamArn!} label="stream ARN" />{' '}
          <button onClick={() => act.run(() => update(false))} disabled={act.busy}>
            Disable stream
          </button>
        </p>
      ) : (
        <ActionForm label="Enable the stream" submit="Enable stream" act={act} run={() => update(true)}>
          <SelectField label="View type" aria="Stream view type" value={view} onValue={(v) => setView(v as StreamViewType)}>
            {['NEW_AND_OLD_IMAGES', 'NEW_IMAGE', 'OLD_IMAGE', 'KEYS_ONLY'].map((v) => (
              <option key={v}>{v}</option>
            ))}
          </SelectField>
        </ActionForm>
      )}
      <ActionError act={act} />
    </div>
  );
}
