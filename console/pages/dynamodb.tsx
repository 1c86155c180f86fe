// DynamoDB: tables (create, delete, describe), an item explorer (scan and query with key
// conditions and filters, paging) and an item editor (plain JSON or DynamoDB JSON).
import { useState } from 'preact/hooks';
import {
  DynamoDBClient,
  ListTablesCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ScanCommand,
  QueryCommand,
  PutItemCommand,
  DeleteItemCommand,
  type AttributeValue,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { useClient } from '../lib/session.js';
import { Indexes, Stream } from '../parts/dynamodb-indexes.js';
import { Ttl } from '../parts/dynamodb-ttl.js';
import { Copy, Section, Tabs, useAction, useLoad } from '../lib/ui.js';
import { Details, Pager, PickList, ResourceTable, usePicked, type Columns } from '../lib/table.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextArea, TextField, malformed, parseJson, useFields } from '../lib/form.js';

type Item = Record<string, AttributeValue>;
const PAGE = 25;
const OPS = ['=', '<', '<=', '>', '>=', 'begins_with', 'between'];

const show = (v: unknown) =>
  typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Set ? [...x] : x));

function keyValue(type: string | undefined, text: string): AttributeValue {
  if (type === 'N') return { N: text };
  if (type === 'B') return { B: Uint8Array.from(atob(text), (c) => c.charCodeAt(0)) };
  return { S: text };
}

function Editor({
  ddb,
  table,
  item,
  onSaved,
  onCancel,
}: {
  ddb: DynamoDBClient;
  table: string;
  item?: Item;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [typed, setTyped] = useState(false);
  const plain = (i?: Item) => JSON.stringify(i ? unmarshall(i, { wrapNumbers: false }) : {}, (_k, x) => (x instanceof Set ? [...x] : x), 2);
  const [text, setText] = useState(plain(item));
  const act = useAction();
  const toggle = (t: boolean) => {
    try {
      const parsed = JSON.parse(text);
      setText(t ? JSON.stringify(marshall(parsed, { removeUndefinedValues: true }), null, 2) : plain(parsed));
    } catch {
      /* keep the text as typed */
    }
    setTyped(t);
  };
  const save = async () => {
    const parsed = parseJson(text, 'The item');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed('The item must be a JSON object');
    const Item = typed ? (parsed as Item) : marshall(parsed as Record<string, unknown>, { removeUndefinedValues: true });
    await ddb.send(new PutItemCommand({ TableName: table, Item }));
    onSaved();
  };
  return (
    <Section title={item ? 'Edit item' : 'Create item'}>
      <div class="actions" role="radiogroup" aria-label="Item format">
        <label>
          <input type="radio" name="fmt" checked={!typed} onChange={() => toggle(false)} /> Plain JSON
        </label>
        <label>
          <input type="radio" name="fmt" checked={typed} onChange={() => toggle(true)} /> DynamoDB JSON
        </label>
      </div>
      <ActionForm
        label="Item editor"
        submit="Save item"
        primary
        act={act}
        run={save}
        extra={
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        }
      >
        <TextArea label="Item" aria="Item JSON" rows={10} cols={60} value={text} onValue={setText} />
      </ActionForm>
      <ActionError act={act} />
    </Section>
  );
}

function Explorer({ ddb, desc }: { ddb: DynamoDBClient; desc: TableDescription }) {
  const table = desc.TableName!;
  const indexes = [
    { name: '', keys: desc.KeySchema ?? [] },
    ...(desc.GlobalSecondaryIndexes ?? []).map((g) => ({ name: g.IndexName!, keys: g.KeySchema ?? [] })),
    ...(desc.LocalSecondaryIndexes ?? []).map((l) => ({ name: l.IndexName!, keys: l.KeySchema ?? [] })),
  ];
  const typeOf = (a?: string) => desc.AttributeDefinitions?.find((d) => d.AttributeName === a)?.AttributeType;
  const [mode, setMode] = useState<'scan' | 'query'>('scan');
  const { values: f, bind } = useFields({ index: '', pk: '', op: '=', sk: '', sk2: '', filter: '', values: '' });
  const [result, setResult] = useState<{ items: Item[]; next?: Item; scanned?: number }>();
  const [starts, setStarts] = useState<(Item | undefined)[]>([undefined]);
  const [editing, setEditing] = useState<{ item?: Item }>();
  const act = useAction();
  const keys = indexes.find((i) => i.name === f.index)?.keys ?? [];
  const hash = keys.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const range = keys.find((k) => k.KeyType === 'RANGE')?.AttributeName;

  const search = async (start?: Item, stack: (Item | undefined)[] = [undefined]) => {
    const extra = f.values.trim() ? (parseJson(f.values, 'Expression attribute values') as Item) : undefined;
    const common = {
      TableName: table,
      IndexName: f.index || undefined,
      Limit: PAGE,
      ExclusiveStartKey: start,
      FilterExpression: f.filter.trim() || undefined,
    };
    let out;
    if (mode === 'scan') {
      out = await ddb.send(new ScanCommand({ ...common, ExpressionAttributeValues: extra }));
    } else {
      const names: Record<string, string> = { '#pk': hash! };
      const vals: Item = { ...extra, ':pk': keyValue(typeOf(hash), f.pk) };
      let cond = '#pk = :pk';
      if (range && f.sk !== '') {
        names['#sk'] = range;
        vals[':sk'] = keyValue(typeOf(range), f.sk);
        if (f.op === 'begins_with') cond += ' AND begins_with(#sk, :sk)';
        else if (f.op === 'between') {
          vals[':sk2'] = keyValue(typeOf(range), f.sk2);
          cond += ' AND #sk BETWEEN :sk AND :sk2';
        } else cond += ` AND #sk ${f.op} :sk`;
      }
      out = await ddb.send(
        new QueryCommand({ ...common, KeyConditionExpression: cond, ExpressionAttributeNames: names, ExpressionAttributeValues: vals }),
      );
    }
    setResult({ items: out.Items ?? [], next: out.LastEvaluatedKey, scanned: out.ScannedCount });
    setStarts(stack);
  };
  const run = (start?: Item, stack?: (Item | undefined)[]) => act.run(() => search(start, stack));
  const again = () => search(starts[starts.length - 1], starts);
  const keyOf = (item: Item) => Object.fromEntries((desc.KeySchema ?? []).map((k) => [k.AttributeName!, item[k.AttributeName!]]));
  const items = result?.items.map((i) => unmarshall(i, { wrapNumbers: false })) ?? [];
  const names = [...new Set([...(desc.KeySchema ?? []).map((k) => k.AttributeName!), ...items.flatMap((i) => Object.keys(i))])].slice(
    0,
    10,
  );
  const columns: Columns<Record<string, unknown>> = Object.fromEntries(
    names.map((c) => [c, (it: Record<string, unknown>) => (it[c] === undefined ? '' : show(it[c]))]),
  );
  // attribute names are never empty: the unnamed column is free for the actions
  columns[''] = {
    class: 'actions',
    cell: (_it, n) => (
      <>
        <button onClick={() => setEditing({ item: result!.items[n] })}>Edit</button>
        <DeleteButton
          act={act}
          run={async () => (await ddb.send(new DeleteItemCommand({ TableName: table, Key: keyOf(result!.items[n]) })), await again())}
        />
      </>
    ),
  };
  return (
    <>
      <Section title="Items" actions={<button onClick={() => setEditing({})}>Create item</button>}>
        <Tabs
          label="Scan or query"
          value={mode}
          onChange={setMode}
          tabs={[
            { id: 'scan', name: 'Scan' },
            { id: 'query', name: 'Query' },
          ]}
        />
        <ActionForm
          label={mode === 'scan' ? 'Scan' : 'Query'}
          submit={mode === 'scan' ? 'Run scan' : 'Run query'}
          primary
          act={act}
          run={search}
        >
          {indexes.length > 1 ? (
            <SelectField label="Table or index" {...bind('index')}>
              {indexes.map((i) => (
                <option key={i.name} value={i.name}>
                  {i.name || `${table} (table)`}
                </option>
              ))}
            </SelectField>
          ) : null}
          {mode === 'query' ? (
            <>
              <TextField label={`${hash} (partition key) =`} aria="Partition key value" required {...bind('pk')} />
              {range ? (
                <>
                  <SelectField label={`${range} (sort key)`} aria="Sort key condition" {...bind('op')}>
                    {OPS.map((o) => (
                      <option key={o}>{o}</option>
                    ))}
                  </SelectField>
                  <TextField label="Sort key value" {...bind('sk')} />
                  {f.op === 'between' ? <TextField label="and" aria="Sort key upper value" {...bind('sk2')} /> : null}
                </>
              ) : null}
            </>
          ) : null}
          <TextField label="Filter expression (optional)" aria="Filter expression" placeholder="price > :min" {...bind('filter')} />
          <TextField label='Values (DynamoDB JSON, e.g. {":min": {"N": "5"}})' aria="Expression attribute values" {...bind('values')} />
        </ActionForm>
        <ActionError act={act} />
        <ResourceTable
          label="Items"
          empty={result ? 'No items match.' : 'Run a scan or a query to see items.'}
          rows={items}
          rowKey={(_it, n) => n}
          rowProps={(it) => ({ 'data-item': show(it[names[0]]) })}
          columns={columns}
        />
        {result ? (
          <Pager
            page={starts.length}
            info={`${items.length} items${result.scanned !== undefined ? `, ${result.scanned} scanned` : ''}`}
            onPrev={starts.length < 2 ? undefined : () => run(starts[starts.length - 2], starts.slice(0, -1))}
            onNext={result.next ? () => run(result.next, [...starts, result.next]) : undefined}
          />
        ) : null}
      </Section>
      {editing ? (
        <Editor
          key={JSON.stringify(editing.item ?? {})}
          ddb={ddb}
          table={table}
          item={editing.item}
          onCancel={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            if (result) void act.run(again);
          }}
        />
      ) : null}
    </>
  );
}

function Table({ ddb, name, onGone }: { ddb: DynamoDBClient; name: string; onGone: () => void }) {
  const desc = useLoad(() => ddb.send(new DescribeTableCommand({ TableName: name })), [ddb, name]);
  const act = useAction();
  const t = desc.data?.Table;
  const typeOf = (a?: string) => t?.AttributeDefinitions?.find((d) => d.AttributeName === a)?.AttributeType;
  return (
    <>
      <Section
        title={`Table ${name}`}
        refresh={desc.reload}
        actions={
          <DeleteButton
            act={act}
            text="Delete table"
            confirm={`Delete table ${name} and all its items?`}
            run={async () => (await ddb.send(new DeleteTableCommand({ TableName: name })), onGone())}
          />
        }
      >
        <ActionError act={act} also={[desc.error]} />
        <Details
          loading={desc.loading}
          rows={
            t && [
              ['ARN', <Copy value={t.TableArn!} label="table ARN" />],
              ['Status', t.TableStatus],
              [
                'Keys',
                (t.KeySchema ?? [])
                  .map((k) => `${k.AttributeName} (${k.KeyType === 'HASH' ? 'partition' : 'sort'}, ${typeOf(k.AttributeName)})`)
                  .join(', '),
              ],
              ['Items', t.ItemCount],
              ['Billing', t.BillingModeSummary?.BillingMode ?? 'PROVISIONED'],
              ['Global indexes', t.GlobalSecondaryIndexes?.length ? t.GlobalSecondaryIndexes.map((g) => g.IndexName).join(', ') : null],
              [
                'Stream',
                t.StreamSpecification?.StreamEnabled ? (
                  <>
                    {t.StreamSpecification.StreamViewType} <Copy value={t.LatestStreamArn!} label="stream ARN" />
                  </>
                ) : null,
              ],
            ]
          }
        />
        {t ? <Ttl ddb={ddb} table={name} /> : null}
        {t ? <Indexes ddb={ddb} desc={t} onChange={desc.reload} /> : null}
        {t ? <Stream ddb={ddb} desc={t} onChange={desc.reload} /> : null}
      </Section>
      {t ? <Explorer ddb={ddb} desc={t} /> : null}
    </>
  );
}

const KEY_TYPES = (
  <>
    <option value="S">String</option>
    <option value="N">Number</option>
    <option value="B">Binary</option>
  </>
);

function CreateTable({ ddb, onCreated }: { ddb: DynamoDBClient; onCreated: (name: string) => void }) {
  const { values: f, set, bind } = useFields({ name: '', pk: 'pk', pkType: 'S', sk: '', skType: 'S' });
  const act = useAction();
  const create = async () => {
    const type = (t: string) => t as 'S' | 'N' | 'B';
    await ddb.send(
      new CreateTableCommand({
        TableName: f.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: f.pk, AttributeType: type(f.pkType) },
          ...(f.sk ? [{ AttributeName: f.sk, AttributeType: type(f.skType) }] : []),
        ],
        KeySchema: [{ AttributeName: f.pk, KeyType: 'HASH' }, ...(f.sk ? [{ AttributeName: f.sk, KeyType: 'RANGE' as const }] : [])],
      }),
    );
    onCreated(f.name);
    set('name', '');
  };
  return (
    <>
      <ActionForm label="Create table" submit="Create table" primary act={act} run={create}>
        <TextField label="Table name" required {...bind('name')} />
        <TextField label="Partition key" aria="Partition key name" required {...bind('pk')} />
        <SelectField label="Type" aria="Partition key type" {...bind('pkType')}>
          {KEY_TYPES}
        </SelectField>
        <TextField label="Sort key (optional)" aria="Sort key name" {...bind('sk')} />
        <SelectField label="Type" aria="Sort key type" {...bind('skType')}>
          {KEY_TYPES}
        </SelectField>
      </ActionForm>
      <ActionError act={act} />
    </>
  );
}

export default function DynamoDbPage() {
  const ddb = useClient(DynamoDBClient);
  const list = useLoad(() => ddb.send(new ListTablesCommand({})), [ddb]);
  const { selected, setSelected, gone } = usePicked(list.reload);
  return (
    <div>
      <h1>Amazon DynamoDB</h1>
      <Section title="Tables" refresh={list.reload}>
        <CreateTable
          ddb={ddb}
          onCreated={(n) => {
            list.reload();
            setSelected(n);
          }}
        />
        <PickList
          href="#/dynamodb"
          load={list}
          loadingText="Listing tables"
          empty="No tables in this region yet."
          items={list.data?.TableNames ?? []}
          id={(t) => t}
          selected={selected}
          onPick={setSelected}
        />
      </Section>
      {selected ? <Table key={selected} ddb={ddb} name={selected} onGone={gone} /> : null}
    </div>
  );
}
