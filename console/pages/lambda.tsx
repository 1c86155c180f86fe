// Lambda: functions (create with an inline editor, update code, delete), invoke with saved test
// events, and the log tail of the invocation.
import { useState } from 'preact/hooks';
import { zipSync, strToU8 } from 'fflate';
import {
  LambdaClient,
  ListFunctionsCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { useClient, useSession } from '../lib/session.js';
import { CodeEditor } from '../parts/lambda-code.js';
import { Copy, ErrorBox, Field, Form, Loading, Section, useAction, useLoad } from '../lib/ui.js';
import { PickList, usePicked } from '../lib/table.js';
import { ActionError, ActionForm, SelectField, TextArea, TextField } from '../lib/form.js';

const TEMPLATES: Record<string, { file: string; handler: string; code: string }> = {
  'nodejs20.x': {
    file: 'index.mjs',
    handler: 'index.handler',
    code: "export const handler = async (event) => {\n  console.log('event', JSON.stringify(event));\n  return { statusCode: 200, body: JSON.stringify({ hello: event.name ?? 'world' }) };\n};\n",
  },
  'python3.12': {
    file: 'lambda_function.py',
    handler: 'lambda_function.lambda_handler',
    code: "import json\n\ndef lambda_handler(event, context):\n    print('event', json.dumps(event))\n    return {'statusCode': 200, 'body': json.dumps({'hello': event.get('name', 'world')})}\n",
  },
};

const zipOf = (file: string, code: string) => zipSync({ [file]: strToU8(code) });
const fileOf = (runtime?: string) => TEMPLATES[runtime ?? '']?.file ?? (runtime?.startsWith('python') ? 'lambda_function.py' : 'index.mjs');

function savedEvents(fn: string): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(`nimbus.lambda.events.${fn}`) ?? '{}');
  } catch {
    return {};
  }
}

function Invoke({ lambda, fn }: { lambda: LambdaClient; fn: FunctionConfiguration }) {
  const [saved, setSaved] = useState(savedEvents(fn.FunctionName!));
  const [eventName, setEventName] = useState('test');
  const [event, setEvent] = useState(saved.test ?? '{\n  "name": "Nimbus"\n}');
  const [result, setResult] = useState<{ status?: number; error?: string; payload: string; log: string }>();
  const act = useAction();
  const save = () => {
    const next = { ...saved, [eventName]: event };
    setSaved(next);
    try {
      localStorage.setItem(`nimbus.lambda.events.${fn.FunctionName}`, JSON.stringify(next));
    } catch {
      /* private mode */
    }
  };
  const invoke = () =>
    act.run(async () => {
      try {
        JSON.parse(event);
      } catch (e) {
        throw Object.assign(new Error(`The test event is not valid JSON: ${(e as Error).message}`), { name: 'MalformedJSON' });
      }
      const out = await lambda.send(
        new InvokeCommand({ FunctionName: fn.FunctionName, Payload: new TextEncoder().encode(event), LogType: 'Tail' }),
      );
      setResult({
        status: out.StatusCode,
        error: out.FunctionError,
        payload: out.Payload ? new TextDecoder().decode(out.Payload) : '',
        log: out.LogResult ? new TextDecoder().decode(Uint8Array.from(atob(out.LogResult), (c) => c.charCodeAt(0))) : '',
      });
    });
  return (
    <Section title="Test">
      <div class="form">
        <Field label="Saved test events">
          <select
            value={saved[eventName] !== undefined ? eventName : ''}
            onChange={(e) => {
              const n = (e.target as HTMLSelectElement).value;
              if (saved[n] !== undefined) {
                setEventName(n);
                setEvent(saved[n]);
              }
            }}
            aria-label="Saved test events"
          >
            <option value="">(unsaved)</option>
            {Object.keys(saved).map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </Field>
        <Field label="Event name">
          <input value={eventName} onInput={(e) => setEventName((e.target as HTMLInputElement).value)} aria-label="Event name" />
        </Field>
        <button type="button" onClick={save}>
          Save event
        </button>
      </div>
      <Form onSubmit={invoke} label="Invoke">
        <Field label="Event JSON">
          <textarea
            rows={6}
            value={event}
            onInput={(e) => setEvent((e.target as HTMLTextAreaElement).value)}
            aria-label="Test event"
            spellcheck={false}
          />
        </Field>
        <button class="primary" type="submit" disabled={act.busy}>
          {act.busy ? 'Invoking…' : 'Invoke'}
        </button>
      </Form>
      <ErrorBox error={act.error} onDismiss={act.clear} />
      {result ? (
        <div data-testid="invoke-result">
          <p>
            Status {result.status}
            {result.error ? <span class="badge bad">{result.error}</span> : <span class="badge ok">succeeded</span>}
          </p>
          <h3>Response</h3>
          <pre>{result.payload}</pre>
          <h3>Log tail</h3>
          <pre>{result.log || '(no log output)'}</pre>
        </div>
      ) : null}
    </Section>
  );
}

function Fn({ lambda, name, onGone }: { lambda: LambdaClient; name: string; onGone: () => void }) {
  const fn = useLoad(() => lambda.send(new GetFunctionCommand({ FunctionName: name })), [lambda, name]);
  const act = useAction();
  const c = fn.data?.Configuration;
  return (
    <>
      <Section
        title={`Function ${name}`}
        actions={
          <button
            class="danger"
            onClick={() =>
              confirm(`Delete ${name}?`) &&
              act.run(async () => (await lambda.send(new DeleteFunctionCommand({ FunctionName: name })), onGone()))
            }
          >
            Delete function
          </button>
        }
      >
        <ErrorBox error={act.error ?? fn.error} onDismiss={act.error ? act.clear : undefined} />
        {!c ? (
          fn.loading ? (
            <Loading />
          ) : null
        ) : (
          <dl class="split">
            <dt>ARN</dt>
            <dd>
              <Copy value={c.FunctionArn!} label="function ARN" />
            </dd>
            <dt>Runtime</dt>
            <dd>
              {c.Runtime} · {c.Handler} · {c.MemorySize} MB · {c.Timeout} s
            </dd>
            <dt>State</dt>
            <dd>{c.State}</dd>
            <dt>Role</dt>
            <dd>
              <Copy value={c.Role!} label="role ARN" />
            </dd>
          </dl>
        )}
        {c ? (
          <CodeEditor
            lambda={lambda}
            name={name}
            location={fn.data?.Code?.Location}
            sha={c.CodeSha256}
            preferred={fileOf(c.Runtime)}
            onDeployed={fn.reload}
          />
        ) : null}
      </Section>
      {c ? <Invoke lambda={lambda} fn={c} /> : null}
    </>
  );
}

export default function LambdaPage() {
  const { account } = useSession();
  const lambda = useClient(LambdaClient);
  const list = useLoad(() => lambda.send(new ListFunctionsCommand({})), [lambda]);
  const { selected, setSelected, gone } = usePicked(list.reload);
  const [name, setName] = useState('');
  const [runtime, setRuntime] = useState('nodejs20.x');
  const [role, setRole] = useState(`arn:aws:iam::${account}:role/lambda-role`);
  const [code, setCode] = useState(TEMPLATES['nodejs20.x'].code);
  const act = useAction();
  const create = async () => {
    const t = TEMPLATES[runtime];
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: runtime as any,
        Handler: t.handler,
        Role: role,
        Code: { ZipFile: zipOf(t.file, code) },
      }),
    );
    setSelected(name);
    setName('');
    list.reload();
  };
  return (
    <div>
      <h1>AWS Lambda</h1>
      <Section title="Functions" refresh={list.reload}>
        <ActionForm label="Create function" submit="Create function" primary act={act} run={create}>
          <TextField label="Function name" value={name} onValue={setName} required />
          <SelectField label="Runtime" value={runtime} onValue={(r) => (setRuntime(r), setCode(TEMPLATES[r].code))}>
            {Object.keys(TEMPLATES).map((r) => (
              <option key={r}>{r}</option>
            ))}
          </SelectField>
          <TextField label="Execution role ARN" aria="Execution role" value={role} onValue={setRole} size={44} />
          <TextArea label={`Code (${TEMPLATES[runtime].file})`} aria="New function code" rows={7} value={code} onValue={setCode} />
        </ActionForm>
        <ActionError act={act} also={[list.error]} />
        <PickList
          href="#/lambda"
          loading={list.loading && !list.data}
          loadingText="Listing functions"
          empty="No functions in this region yet."
          items={list.data?.Functions ?? []}
          id={(f) => f.FunctionName!}
          extra={(f) => <span class="muted">{f.Runtime}</span>}
          selected={selected}
          onPick={setSelected}
        />
      </Section>
      {selected ? <Fn key={selected} lambda={lambda} name={selected} onGone={gone} /> : null}
    </div>
  );
}
