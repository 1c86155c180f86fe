// The Lambda page's code editor: the deployed package (GetFunction's Code.Location, a zip) unzipped
// in the browser, one file at a time in a text area, zipped back with every other file and deployed
// with UpdateFunctionCode.
import { useState } from 'preact/hooks';
import { unzipSync, zipSync, strFromU8, strToU8 } from 'fflate';
import { LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { Empty, ErrorBox, Loading, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, SelectField, TextArea } from '../lib/form.js';

const TEXT = /\.(m?js|cjs|ts|py|rb|json|txt|md|ya?ml|sh|html|css|java|go|cs|toml|ini|cfg|env)$/i;

/** The package behind a Code.Location, fetched from this same origin (the URL may name another host for Nimbus). */
async function fetchPackage(location: string): Promise<Record<string, Uint8Array>> {
  const u = new URL(location, window.location.origin);
  const res = await fetch(`${u.pathname}${u.search}`);
  if (!res.ok)
    throw Object.assign(new Error(`The code package could not be downloaded (HTTP ${res.status})`), { name: 'CodeDownloadError' });
  return unzipSync(new Uint8Array(await res.arrayBuffer()));
}

export function CodeEditor({
  lambda,
  name,
  location,
  sha,
  preferred,
  onDeployed,
}: {
  lambda: LambdaClient;
  name: string;
  location?: string;
  sha?: string;
  preferred: string;
  onDeployed: () => void;
}) {
  const pkg = useLoad<Record<string, Uint8Array>>(async () => (location ? fetchPackage(location) : {}), [location, sha]);
  const files = Object.keys(pkg.data ?? {}).filter((f) => !f.endsWith('/'));
  const [file, setFile] = useState<string>();
  const [edits, setEdits] = useState<Record<string, string>>({});
  const act = useAction();
  const current =
    file && files.includes(file) ? file : files.includes(preferred) ? preferred : (files.find((f) => TEXT.test(f)) ?? files[0]);
  const original = current && pkg.data ? strFromU8(pkg.data[current]) : '';
  const text = current !== undefined && edits[current] !== undefined ? edits[current] : original;
  const changed = Object.keys(edits).some((f) => pkg.data && edits[f] !== strFromU8(pkg.data[f]));
  const deploy = async () => {
    const out: Record<string, Uint8Array> = {};
    for (const f of files) out[f] = edits[f] !== undefined ? strToU8(edits[f]) : pkg.data![f];
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zipSync(out) }));
    setEdits({});
    onDeployed();
  };
  if (pkg.loading && !pkg.data) return <Loading what="Downloading the code" />;
  if (pkg.error) return <ErrorBox error={pkg.error} />;
  if (!files.length) return <Empty>The package holds no files.</Empty>;
  const binary = current !== undefined && !TEXT.test(current) && [...original.slice(0, 1000)].some((ch) => ch.charCodeAt(0) < 9);
  return (
    <>
      <ActionForm
        label="Code"
        submit="Deploy"
        busyText="Deploying"
        act={act}
        run={deploy}
        disabled={!changed}
        extra={
          changed ? (
            <button type="button" onClick={() => setEdits({})}>
              Discard changes
            </button>
          ) : null
        }
      >
        <SelectField label="File" aria="Code file" value={current ?? ''} onValue={setFile}>
          {files.map((f) => (
            <option key={f} value={f}>
              {f}
              {edits[f] !== undefined && pkg.data && edits[f] !== strFromU8(pkg.data[f]) ? ' (edited)' : ''}
            </option>
          ))}
        </SelectField>
        {binary ? (
          <Empty>{current} is binary; it is deployed unchanged.</Empty>
        ) : (
          <TextArea
            label={`Code (${current})`}
            aria="Function code"
            rows={14}
            class="code"
            value={text}
            onValue={(v) => setEdits({ ...edits, [current!]: v })}
          />
        )}
      </ActionForm>
      <ActionError act={act} />
    </>
  );
}
