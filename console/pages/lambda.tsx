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
import { Copy, Section, useAction, useLoad } from '../lib/ui.js';
import { Details, PickList, StateBadge, usePicked } from '../lib/table.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextArea, TextField, parseJson } from '../lib/form.js';

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
  const invoke = async () => {
    // a result on screen is the answer to the event on screen: an invoke that fails leaves none
    setResult(undefined);
    parseJson(event, 'The test event');
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: fn.FunctionName, Payload: new TextEncoder().encode(event), LogType: 'Tail' }),
    );
    setResult({
      status: out.StatusCode,
      error: out.FunctionError,
      payload: out.Payload ? new TextDecoder().decode(out.Payload) : '',
      log: out.LogResult ? new TextDecoder().decode(Uint8Array.from(atob(out.LogResult), (c) => c.charCodeAt(0))) : '',
    });
  };
  const pick = (n: string) => {
    if (saved[n] === undefined) return;
    setEventName(n);
    setEvent(saved[n]);
  };
  return (
    <Section title="Test">
      <div class="form">
        <SelectField label="Saved test events" value={saved[eventName] !== undefined ? eventName : ''} onValue={pick}>
          <option value="">(unsaved)</option>
          {Object.keys(saved).map((n) => (
            <option key={n}>{n}</option>
          ))}
        </SelectField>
        <TextField label="Event name" value={eventName} onValue={setEventName} />
        <button type="button" onClick={save}>
          Save event
        </button>
      </div>
      <ActionForm label="Invoke" submit="Invoke" busyText="Invoking…" primary act={act} run={invoke}>
        <TextArea label="Event JSON" aria="Test event" rows={6} value={event} onValue={setEvent} />
      </ActionForm>
      <ActionError act={act} />
      {result ? (
        <div data-testid="invoke-result">
          <p>
            Status {result.status}
            {result.error ? <StateBadge state={result.error} tone="bad" /> : <StateBadge state="succeeded" tone="ok" />}
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
          <DeleteButton
            act={act}
            text="Delete function"
            confirm={`Delete ${name}?`}
            run={async () => (await lambda.send(new DeleteFunctionCommand({ FunctionName: name })), onGone())}
          />
        }
      >
        <ActionError act={act} also={[fn.error]} />
        <Details
          loading={fn.loading}
          rows={
            c && [
              ['ARN', <Copy value={c.FunctionArn!} label="function ARN" />],
              ['Runtime', `${c.Runtime} · ${c.Handler} · ${c.MemorySize} MB · ${c.Timeout} s`],
              ['State', c.State],
              ['Role', <Copy value={c.Role!} label="role ARN" />],
            ]
          }
        />
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
        <ActionError act={act} />
        <PickList
          href="#/lambda"
          load={list}
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
