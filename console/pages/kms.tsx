// KMS: keys (create, enable, disable, schedule deletion), aliases, and encrypt/decrypt to try one.
import { useState } from 'preact/hooks';
import {
  KMSClient,
  ListKeysCommand,
  DescribeKeyCommand,
  CreateKeyCommand,
  EnableKeyCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
  ListAliasesCommand,
  CreateAliasCommand,
  EncryptCommand,
  DecryptCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { useClient } from '../lib/session.js';
import { Copy, ErrorBox, Field, Form, Section, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextField } from '../lib/form.js';
import { ResourceTable } from '../lib/table.js';

const SPECS = ['SYMMETRIC_DEFAULT', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'HMAC_256'];
const usageOf = (spec: string) =>
  spec === 'SYMMETRIC_DEFAULT'
    ? 'ENCRYPT_DECRYPT'
    : spec.startsWith('HMAC')
      ? 'GENERATE_VERIFY_MAC'
      : spec.startsWith('ECC')
        ? 'SIGN_VERIFY'
        : 'ENCRYPT_DECRYPT';
const b64 = (u: Uint8Array) => btoa(String.fromCharCode(...u));

function TryKey({ kms, meta: key }: { kms: KMSClient; meta: KeyMetadata }) {
  const [text, setText] = useState('hello');
  const [cipher, setCipher] = useState('');
  const [plain, setPlain] = useState<string>();
  const act = useAction();
  return (
    <Section title={`Try ${key.KeyId}`}>
      <Form
        onSubmit={() =>
          act.run(async () => {
            const out = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new TextEncoder().encode(text) }));
            setCipher(b64(out.CiphertextBlob!));
          })
        }
        label="Encrypt"
      >
        <Field label="Plaintext">
          <input value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} aria-label="Plaintext" />
        </Field>
        <button type="submit">Encrypt</button>
      </Form>
      <Form
        onSubmit={() =>
          act.run(async () => {
            const blob = Uint8Array.from(atob(cipher), (c) => c.charCodeAt(0));
            const out = await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
            setPlain(new TextDecoder().decode(out.Plaintext));
          })
        }
        label="Decrypt"
      >
        <Field label="Ciphertext (base64)">
          <textarea rows={3} value={cipher} onInput={(e) => setCipher((e.target as HTMLTextAreaElement).value)} aria-label="Ciphertext" />
        </Field>
        <button type="submit">Decrypt</button>
      </Form>
      {plain !== undefined ? <p role="status">Decrypted: {plain}</p> : null}
      <ErrorBox error={act.error} onDismiss={act.clear} />
    </Section>
  );
}

export default function KmsPage() {
  const kms = useClient(KMSClient);
  const keys = useLoad(async () => {
    const listed = await kms.send(new ListKeysCommand({}));
    const metas = await Promise.all(
      (listed.Keys ?? []).map((k) => kms.send(new DescribeKeyCommand({ KeyId: k.KeyId! })).then((d) => d.KeyMetadata!)),
    );
    const aliases = await kms.send(new ListAliasesCommand({}));
    return { metas, aliases: aliases.Aliases ?? [] };
  }, [kms]);
  const [desc, setDesc] = useState('');
  const [spec, setSpec] = useState('SYMMETRIC_DEFAULT');
  const [alias, setAlias] = useState<{ key: string; name: string }>();
  const [tryKey, setTryKey] = useState<KeyMetadata>();
  const act = useAction();
  const customer = (keys.data?.metas ?? []).filter((k) => k.KeyManager !== 'AWS');
  const run = (fn: () => Promise<unknown>) => act.run(async () => (await fn(), keys.reload()));
  return (
    <div>
      <h1>AWS KMS</h1>
      <Section title="Customer managed keys" refresh={keys.reload}>
        <ActionForm
          label="Create key"
          submit="Create key"
          primary
          act={act}
          run={async () => (
            await kms.send(new CreateKeyCommand({ Description: desc || undefined, KeySpec: spec as any, KeyUsage: usageOf(spec) as any })),
            setDesc(''),
            keys.reload()
          )}
        >
          <TextField label="Description" aria="Key description" value={desc} onValue={setDesc} />
          <SelectField label="Key spec" value={spec} onValue={setSpec}>
            {SPECS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </SelectField>
        </ActionForm>
        <ActionError act={act} also={[keys.error]} />
        <ResourceTable
          label="Keys"
          loading={keys.loading && !keys.data}
          loadingText="Listing keys"
          empty="No keys in this region yet."
          rows={customer}
          rowKey={(k) => k.KeyId!}
          columns={{
            Key: (k) => (
              <>
                <Copy value={k.Arn!} label="key ARN" />
                {k.Description ? <div class="muted small">{k.Description}</div> : null}
              </>
            ),
            Aliases: (k) =>
              (keys.data?.aliases ?? [])
                .filter((a) => a.TargetKeyId === k.KeyId)
                .map((a) => a.AliasName)
                .join(', '),
            'Spec / usage': (k) => `${k.KeySpec} / ${k.KeyUsage}`,
            State: (k) => (
              <>
                {k.KeyState}
                {k.DeletionDate ? <div class="muted small">deletes {fmtDate(k.DeletionDate)}</div> : null}
              </>
            ),
            Created: (k) => fmtDate(k.CreationDate),
            '': {
              class: 'actions',
              cell: (k) => (
                <>
                  {k.KeyState === 'Enabled' ? (
                    <button onClick={() => run(() => kms.send(new DisableKeyCommand({ KeyId: k.KeyId })))}>Disable</button>
                  ) : k.KeyState === 'Disabled' ? (
                    <button onClick={() => run(() => kms.send(new EnableKeyCommand({ KeyId: k.KeyId })))}>Enable</button>
                  ) : null}
                  {k.KeyState === 'PendingDeletion' ? (
                    <button onClick={() => run(() => kms.send(new CancelKeyDeletionCommand({ KeyId: k.KeyId })))}>Cancel deletion</button>
                  ) : (
                    <DeleteButton
                      act={act}
                      text="Schedule deletion"
                      run={async () => (
                        await kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 })),
                        keys.reload()
                      )}
                    />
                  )}
                  <button onClick={() => setAlias({ key: k.KeyId!, name: 'alias/' })}>Add alias</button>
                  {k.KeyUsage === 'ENCRYPT_DECRYPT' && k.KeySpec === 'SYMMETRIC_DEFAULT' ? (
                    <button onClick={() => setTryKey(k)}>Encrypt / decrypt</button>
                  ) : null}
                </>
              ),
            },
          }}
        />
        {alias ? (
          <Form
            onSubmit={() =>
              act.run(async () => {
                await kms.send(new CreateAliasCommand({ AliasName: alias.name, TargetKeyId: alias.key }));
                setAlias(undefined);
                keys.reload();
              })
            }
            label="Create alias"
          >
            <Field label={`Alias for ${alias.key}`}>
              <input
                value={alias.name}
                onInput={(e) => setAlias({ ...alias, name: (e.target as HTMLInputElement).value })}
                aria-label="Alias name"
              />
            </Field>
            <button type="submit">Create alias</button>
            <button type="button" onClick={() => setAlias(undefined)}>
              Cancel
            </button>
          </Form>
        ) : null}
      </Section>
      {tryKey ? <TryKey key={tryKey.KeyId} kms={kms} meta={tryKey} /> : null}
    </div>
  );
}
