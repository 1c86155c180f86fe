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
import { Copy, Section, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextArea, TextField } from '../lib/form.js';
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
  const encrypt = async () => {
    const out = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new TextEncoder().encode(text) }));
    setCipher(b64(out.CiphertextBlob!));
  };
  const decrypt = async () => {
    // a decrypt that fails leaves no earlier plaintext on screen
    setPlain(undefined);
    const blob = Uint8Array.from(atob(cipher), (c) => c.charCodeAt(0));
    const out = await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
    setPlain(new TextDecoder().decode(out.Plaintext));
  };
  return (
    <Section title={`Try ${key.KeyId}`}>
      <ActionForm label="Encrypt" submit="Encrypt" act={act} run={encrypt}>
        <TextField label="Plaintext" value={text} onValue={setText} />
      </ActionForm>
      <ActionForm label="Decrypt" submit="Decrypt" act={act} run={decrypt}>
        <TextArea label="Ciphertext (base64)" aria="Ciphertext" rows={3} value={cipher} onValue={setCipher} />
      </ActionForm>
      {plain !== undefined ? <p role="status">Decrypted: {plain}</p> : null}
      <ActionError act={act} />
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
        <ActionError act={act} />
        <ResourceTable
          label="Keys"
          load={keys}
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
          <ActionForm
            label="Create alias"
            submit="Create alias"
            act={act}
            run={async () => (
              await kms.send(new CreateAliasCommand({ AliasName: alias.name, TargetKeyId: alias.key })),
              setAlias(undefined),
              keys.reload()
            )}
            extra={
              <button type="button" onClick={() => setAlias(undefined)}>
                Cancel
              </button>
            }
          >
            <TextField
              label={`Alias for ${alias.key}`}
              aria="Alias name"
              value={alias.name}
              onValue={(name) => setAlias({ ...alias, name })}
            />
          </ActionForm>
        ) : null}
      </Section>
      {tryKey ? <TryKey key={tryKey.KeyId} kms={kms} meta={tryKey} /> : null}
    </div>
  );
}
