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
import { Copy, Empty, ErrorBox, Field, Form, Loading, Section, Tabs, useAction, useLoad } from '../lib/ui.js';
import { PickList, usePicked } from '../lib/table.js';

type Item = Record<string, AttributeValue>;
const PAGE = 25;
const OPS = ['=', '<', '<=', '>', '>=', 'begins_with', 'between'];

function malformed(message: string): Error {
  return Object.assign(new Error(message), { name: 'MalformedJSON' });
}

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
  const save = () =>
    act.run(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw malformed(`The item is not valid JSON: ${(e as Error).message}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed('The item must be a JSON object');
      const Item = typed ? (parsed as Item) : marshall(parsed as Record<string, unknown>, { removeUndefinedValues: true });
      await ddb.send(new PutItemCommand({ TableName: table, Item }));
      onSaved();
    });
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
      <Form onSubmit={save} label="Item editor">
        <Field label="Item">
          <textarea
            rows={10}
            cols={60}
            value={text}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
            aria-label="Item JSON"
            spellcheck={false}
          />
        </Field>
        <button class="primary" type="submit" disabled={act.busy}>
          Save item
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </Form>
      <ErrorBox error={act.error} onDismiss={act.clear} />
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
  const [index, setIndex] = useState('');
  const [pk, setPk] = useState('');
  const [op, setOp] = useState('=');
  const [sk, setSk] = useState('');
  const [sk2, setSk2] = useState('');
  const [filter, setFilter] = useState('');
  const [values, setValues] = useState('');
  const [result, setResult] = useState<{ items: Item[]; next?: Item; scanned?: number }>();
  const [starts, setStarts] = useState<(Item | undefined)[]>([undefined]);
  const [editing, setEditing] = useState<{ item?: Item }>();
  const act = useAction();
  const keys = indexes.find((i) => i.name === index)?.keys ?? [];
  const hash = keys.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const range = keys.find((k) => k.KeyType === 'RANGE')?.AttributeName;

  const run = (start?: Item, stack: (Item | undefined)[] = [undefined]) =>
    act.run(async () => {
      let extra: Item | undefined;
      if (values.trim()) {
        try {
          extra = JSON.parse(values) as Item;
        } catch (e) {
          throw malformed(`Expression attribute values are not valid JSON: ${(e as Error).message}`);
        }
      }
      const common = {
        TableName: table,
        IndexName: index || undefined,
        Limit: PAGE,
        ExclusiveStartKey: start,
        FilterExpression: filter.trim() || undefined,
      };
      let out;
      if (mode === 'scan') {
        out = await ddb.send(new ScanCommand({ ...common, ExpressionAttributeValues: extra }));
      } else {
        const names: Record<string, string> = { '#pk': hash! };
        const vals: Item = { ...extra, ':pk': keyValue(typeOf(hash), pk) };
        let cond = '#pk = :pk';
        if (range && sk !== '') {
          names['#sk'] = range;
          vals[':sk'] = keyValue(typeOf(range), sk);
          if (op === 'begins_with') cond += ' AND begins_with(#sk, :sk)';
          else if (op === 'between') {
            vals[':sk2'] = keyValue(typeOf(range), sk2);
            cond += ' AND #sk BETWEEN :sk AND :sk2';
          } else cond += ` AND #sk ${op} :sk`;
        }
        out = await ddb.send(
          new QueryCommand({ ...common, KeyConditionExpression: cond, ExpressionAttributeNames: names, ExpressionAttributeValues: vals }),
        );
      }
      setResult({ items: out.Items ?? [], next: out.LastEvaluatedKey, scanned: out.ScannedCount });
      setStarts(stack);
    });
  const remove = (item: Item) =>
    act.run(async () => {
      const Key: Item = {};
      for (const k of desc.KeySchema ?? []) Key[k.AttributeName!] = item[k.AttributeName!];
      await ddb.send(new DeleteItemCommand({ TableName: table, Key }));
      await run(starts[starts.length - 1], starts);
    });
  const items = result?.items.map((i) => unmarshall(i, { wrapNumbers: false })) ?? [];
  const columns = [...new Set([...(desc.KeySchema ?? []).map((k) => k.AttributeName!), ...items.flatMap((i) => Object.keys(i))])].slice(
    0,
    10,
  );
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
        <Form onSubmit={() => run()} label={mode === 'scan' ? 'Scan' : 'Query'}>
          {indexes.length > 1 ? (
            <Field label="Table or index">
              <select value={index} onChange={(e) => setIndex((e.target as HTMLSelectElement).value)}>
                {indexes.map((i) => (
                  <option key={i.name} value={i.name}>
                    {i.name || `${table} (table)`}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          {mode === 'query' ? (
            <>
              <Field label={`${hash} (partition key) =`}>
                <input value={pk} required onInput={(e) => setPk((e.target as HTMLInputElement).value)} aria-label="Partition key value" />
              </Field>
              {range ? (
                <>
                  <Field label={`${range} (sort key)`}>
                    <select value={op} onChange={(e) => setOp((e.target as HTMLSelectElement).value)} aria-label="Sort key condition">
                      {OPS.map((o) => (
                        <option key={o}>{o}</option>
                      ))}
                    </select>
                  </Field>
                  <Field label="Sort key value">
                    <input value={sk} onInput={(e) => setSk((e.target as HTMLInputElement).value)} aria-label="Sort key value" />
                  </Field>
                  {op === 'between' ? (
                    <Field label="and">
                      <input value={sk2} onInput={(e) => setSk2((e.target as HTMLInputElement).value)} aria-label="Sort key upper value" />
                    </Field>
                  ) : null}
                </>
              ) : null}
            </>
          ) : null}
          <Field label="Filter expression (optional)">
            <input
              value={filter}
              onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
              placeholder="price > :min"
              aria-label="Filter expression"
            />
          </Field>
          <Field label='Values (DynamoDB JSON, e.g. {":min": {"N": "5"}})'>
            <input
              value={values}
              onInput={(e) => setValues((e.target as HTMLInputElement).value)}
              aria-label="Expression attribute values"
            />
          </Field>
          <button class="primary" type="submit" disabled={act.busy}>
            {mode === 'scan' ? 'Run scan' : 'Run query'}
          </button>
        </Form>
        <ErrorBox error={act.error} onDismiss={act.clear} />
        {result === undefined ? (
          <Empty>Run a scan or a query to see items.</Empty>
        ) : items.length === 0 ? (
          <Empty>No items match.</Empty>
        ) : (
          <div class="table-wrap">
            <table aria-label="Items">
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                  <th />
                </tr>
              </thead>
              <tbody>
                {items.map((it, n) => (
                  <tr key={n} data-item={show(it[columns[0]])}>
                    {columns.map((c) => (
                      <td key={c}>{it[c] === undefined ? '' : show(it[c])}</td>
                    ))}
                    <td class="actions">
                      <button onClick={() => setEditing({ item: result!.items[n] })}>Edit</button>
                      <button class="danger" onClick={() => remove(result!.items[n])}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {result ? (
          <div class="actions">
            <button disabled={starts.length < 2} onClick={() => run(starts[starts.length - 2], starts.slice(0, -1))}>
              Previous page
            </button>
            <span class="muted" role="status">
              Page {starts.length}: {items.length} items{result.scanned !== undefined ? `, ${result.scanned} scanned` : ''}
            </span>
            <button disabled={!result.next} onClick={() => run(result.next, [...starts, result.next])}>
              Next page
            </button>
          </div>
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
            if (result) void run(starts[starts.length - 1], starts);
          }}
        />
      ) : null}
    </>
  );
}

function Table({ ddb, name, onGone }: { ddb: DynamoDBClient; name: string; onGone: () => void }) {
  const desc = useLoad(() => ddb.send(new DescribeTableCommand({ TableName: name })), [ddb, name]);
  const act = useAction();
  const del = () => {
    if (!confirm(`Delete table ${name} and all its items?`)) return;
    void act.run(async () => {
      await ddb.send(new DeleteTableCommand({ TableName: name }));
      onGone();
    });
  };
  const t = desc.data?.Table;
  return (
    <>
      <Section
        title={`Table ${name}`}
        actions={
          <>
            <button onClick={desc.reload}>Refresh</button>
            <button class="danger" onClick={del}>
              Delete table
            </button>
          </>
        }
      >
        <ErrorBox error={act.error ?? desc.error} onDismiss={act.error ? act.clear : undefined} />
        {!t ? (
          desc.loading ? (
            <Loading />
          ) : null
        ) : (
          <dl class="split">
            <dt>ARN</dt>
            <dd>
              <Copy value={t.TableArn!} label="table ARN" />
            </dd>
            <dt>Status</dt>
            <dd>{t.TableStatus}</dd>
            <dt>Keys</dt>
            <dd>
              {(t.KeySchema ?? [])
                .map(
                  (k) =>
                    `${k.AttributeName} (${k.KeyType === 'HASH' ? 'partition' : 'sort'}, ${t.AttributeDefinitions?.find((d) => d.AttributeName === k.AttributeName)?.AttributeType})`,
                )
                .join(', ')}
            </dd>
            <dt>Items</dt>
            <dd>{t.ItemCount}</dd>
            <dt>Billing</dt>
            <dd>{t.BillingModeSummary?.BillingMode ?? 'PROVISIONED'}</dd>
            {t.GlobalSecondaryIndexes?.length ? (
              <>
                <dt>Global indexes</dt>
                <dd>{t.GlobalSecondaryIndexes.map((g) => g.IndexName).join(', ')}</dd>
              </>
            ) : null}
            {t.StreamSpecification?.StreamEnabled ? (
              <>
                <dt>Stream</dt>
                <dd>
                  {t.StreamSpecification.StreamViewType} <Copy value={t.LatestStreamArn!} label="stream ARN" />
                </dd>
              </>
            ) : null}
          </dl>
        )}
        {t ? <Ttl ddb={ddb} table={name} /> : null}
        {t ? <Indexes ddb={ddb} desc={t} onChange={desc.reload} /> : null}
        {t ? <Stream ddb={ddb} desc={t} onChange={desc.reload} /> : null}
      </Section>
      {t ? <Explorer ddb={ddb} desc={t} /> : null}
    </>
  );
}

function CreateTable({ ddb, onCreated }: { ddb: DynamoDBClient; onCreated: (name: string) => void }) {
  const [name, setName] = useState('');
  const [pk, setPk] = useState('pk');
  const [pkType, setPkType] = useState<'S' | 'N' | 'B'>('S');
  const [sk, setSk] = useState('');
  const [skType, setSkType] = useState<'S' | 'N' | 'B'>('S');
  const act = useAction();
  const create = () =>
    act.run(async () => {
      await ddb.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: pk, AttributeType: pkType },
            ...(sk ? [{ AttributeName: sk, AttributeType: skType }] : []),
          ],
          KeySchema: [{ AttributeName: pk, KeyType: 'HASH' }, ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : [])],
        }),
      );
      onCreated(name);
      setName('');
    });
  const typeSelect = (v: string, set: (t: any) => void, label: string) => (
    <select value={v} onChange={(e) => set((e.target as HTMLSelectElement).value)} aria-label={label}>
      <option value="S">String</option>
      <option value="N">Number</option>
      <option value="B">Binary</option>
    </select>
  );
  return (
    <>
      <Form onSubmit={create} label="Create table">
        <Field label="Table name">
          <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-label="Table name" />
        </Field>
        <Field label="Partition key">
          <input value={pk} required onInput={(e) => setPk((e.target as HTMLInputElement).value)} aria-label="Partition key name" />
        </Field>
        <Field label="Type">{typeSelect(pkType, setPkType, 'Partition key type')}</Field>
        <Field label="Sort key (optional)">
          <input value={sk} onInput={(e) => setSk((e.target as HTMLInputElement).value)} aria-label="Sort key name" />
        </Field>
        <Field label="Type">{typeSelect(skType, setSkType, 'Sort key type')}</Field>
        <button class="primary" type="submit" disabled={act.busy}>
          Create table
        </button>
      </Form>
      <ErrorBox error={act.error} onDismiss={act.clear} />
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
        <ErrorBox error={list.error} />
        <PickList
          href="#/dynamodb"
          loading={list.loading && !list.data}
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
