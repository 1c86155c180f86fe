// S3 bucket settings as the API shapes them, edited as JSON: lifecycle rules, CORS, the bucket
// policy and tags; and an object's metadata and tags. S3 itself validates what is saved.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import {
  S3Client,
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  DeleteBucketLifecycleCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  DeleteBucketCorsCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  DeleteBucketPolicyCommand,
  GetBucketTaggingCommand,
  PutBucketTaggingCommand,
  DeleteBucketTaggingCommand,
  HeadObjectCommand,
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { ErrorBox, Field, Form, Loading, Section, Tabs, describeError, fmtBytes, fmtDate, useAction, useLoad } from '../lib/ui.js';

interface Setting {
  id: string;
  label: string;
  missing: string;
  example: unknown;
  get(s3: S3Client, b: string): Promise<unknown>;
  put(s3: S3Client, b: string, value: any): Promise<unknown>;
  del(s3: S3Client, b: string): Promise<unknown>;
}

const SETTINGS: Setting[] = [
  {
    id: 'lifecycle',
    label: 'Lifecycle rules',
    missing: 'NoSuchLifecycleConfiguration',
    example: [
      {
        ID: 'archive',
        Status: 'Enabled',
        Filter: { Prefix: 'logs/' },
        Transitions: [{ Days: 30, StorageClass: 'GLACIER' }],
        Expiration: { Days: 365 },
      },
    ],
    get: async (s3, b) => (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }))).Rules,
    put: (s3, b, Rules) => s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: b, LifecycleConfiguration: { Rules } })),
    del: (s3, b) => s3.send(new DeleteBucketLifecycleCommand({ Bucket: b })),
  },
  {
    id: 'cors',
    label: 'CORS',
    missing: 'NoSuchCORSConfiguration',
    example: [{ AllowedOrigins: ['http://localhost:3000'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], MaxAgeSeconds: 3000 }],
    get: async (s3, b) => (await s3.send(new GetBucketCorsCommand({ Bucket: b }))).CORSRules,
    put: (s3, b, CORSRules) => s3.send(new PutBucketCorsCommand({ Bucket: b, CORSConfiguration: { CORSRules } })),
    del: (s3, b) => s3.send(new DeleteBucketCorsCommand({ Bucket: b })),
  },
  {
    id: 'policy',
    label: 'Bucket policy',
    missing: 'NoSuchBucketPolicy',
    example: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::BUCKET/*' }],
    },
    get: async (s3, b) => JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy ?? '{}'),
    put: (s3, b, p) => s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify(p) })),
    del: (s3, b) => s3.send(new DeleteBucketPolicyCommand({ Bucket: b })),
  },
  {
    id: 'tags',
    label: 'Tags',
    missing: 'NoSuchTagSet',
    example: [{ Key: 'team', Value: 'data' }],
    get: async (s3, b) => (await s3.send(new GetBucketTaggingCommand({ Bucket: b }))).TagSet,
    put: (s3, b, TagSet) => s3.send(new PutBucketTaggingCommand({ Bucket: b, Tagging: { TagSet } })),
    del: (s3, b) => s3.send(new DeleteBucketTaggingCommand({ Bucket: b })),
  },
];

function SettingEditor({ s3, bucket, setting }: { s3: S3Client; bucket: string; setting: Setting }) {
  const [text, setText] = useState<string>();
  const [saved, setSaved] = useState(false);
  const current = useLoad(async () => {
    try {
      return { value: await setting.get(s3, bucket) };
    } catch (e) {
      if (describeError(e).code === setting.missing) return { value: undefined };
      throw e;
    }
  }, [s3, bucket, setting.id]);
  const act = useAction();
  const shown = text ?? (current.data ? JSON.stringify(current.data.value ?? setting.example, null, 2).replaceAll('BUCKET', bucket) : '');
  const save = () =>
    act.run(async () => {
      let value: unknown;
      try {
        value = JSON.parse(shown);
      } catch (e) {
        throw Object.assign(new Error(`Not valid JSON: ${(e as Error).message}`), { name: 'MalformedJSON' });
      }
      await setting.put(s3, bucket, value);
      setSaved(true);
      current.reload();
    });
  if (current.loading && !current.data) return <Loading />;
  return (
    <div>
      {current.data && current.data.value === undefined ? (
        <p class="muted">None set ({setting.missing}); an example is filled in.</p>
      ) : null}
      <ErrorBox error={current.error} />
      <Form onSubmit={save} label={setting.label}>
        <Field label={`${setting.label} (JSON)`}>
          <textarea
            rows={10}
            cols={70}
            value={shown}
            onInput={(e) => (setText((e.target as HTMLTextAreaElement).value), setSaved(false))}
            aria-label={`${setting.label} JSON`}
            spellcheck={false}
          />
        </Field>
        <button class="primary" type="submit" disabled={act.busy}>
          Save
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => act.run(async () => (await setting.del(s3, bucket), setText(undefined), current.reload()))}
        >
          Remove
        </button>
      </Form>
      {saved ? (
        <p role="status" class="ok-text">
          Saved.
        </p>
      ) : null}
      <ErrorBox error={act.error} onDismiss={act.clear} />
    </div>
  );
}

export function BucketSettings({ s3, bucket }: { s3: S3Client; bucket: string }) {
  const [tab, setTab] = useState(SETTINGS[0].id);
  const setting = SETTINGS.find((s) => s.id === tab)!;
  return (
    <Section title="Bucket settings">
      <Tabs label="Bucket settings" value={tab} onChange={setTab} tabs={SETTINGS.map((s) => ({ id: s.id, name: s.label }))} />
      <SettingEditor key={tab} s3={s3} bucket={bucket} setting={setting} />
    </Section>
  );
}

export function ObjectDetails({
  s3,
  bucket,
  objectKey,
  versionId,
  onClose,
}: {
  s3: S3Client;
  bucket: string;
  objectKey: string;
  versionId?: string;
  onClose: () => void;
}) {
  const info = useLoad(
    () =>
      Promise.all([
        s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey, VersionId: versionId })),
        s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: objectKey, VersionId: versionId })),
      ]),
    [s3, bucket, objectKey, versionId],
  );
  const [tags, setTags] = useState<string>();
  const act = useAction();
  const [head, tagging] = info.data ?? [];
  const tagText = tags ?? (tagging ? (tagging.TagSet ?? []).map((t) => `${t.Key}=${t.Value}`).join('\n') : '');
  return (
    <Section title={`Object ${objectKey}`} actions={<button onClick={onClose}>Close</button>}>
      <ErrorBox error={info.error} />
      {!head ? (
        info.loading ? (
          <Loading />
        ) : null
      ) : (
        <dl class="split">
          <dt>Size</dt>
          <dd>{fmtBytes(head.ContentLength)}</dd>
          <dt>Type</dt>
          <dd>{head.ContentType}</dd>
          <dt>ETag</dt>
          <dd>
            <code>{head.ETag}</code>
          </dd>
          <dt>Modified</dt>
          <dd>{fmtDate(head.LastModified)}</dd>
          <dt>Storage class</dt>
          <dd>{head.StorageClass ?? 'STANDARD'}</dd>
          {head.VersionId ? (
            <>
              <dt>Version</dt>
              <dd>
                <code>{head.VersionId}</code>
              </dd>
            </>
          ) : null}
          {head.ServerSideEncryption ? (
            <>
              <dt>Encryption</dt>
              <dd>{head.ServerSideEncryption}</dd>
            </>
          ) : null}
          {Object.entries(head.Metadata ?? {}).map(([k, v]) => (
            <Fragment key={k}>
              <dt>x-amz-meta-{k}</dt>
              <dd>{v}</dd>
            </Fragment>
          ))}
        </dl>
      )}
      <Form
        onSubmit={() =>
          act.run(async () => {
            const TagSet = tagText
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean)
              .map((l) => ({ Key: l.split('=')[0], Value: l.slice(l.indexOf('=') + 1) }));
            await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: objectKey, VersionId: versionId, Tagging: { TagSet } }));
            setTags(undefined);
            info.reload();
          })
        }
        label="Edit object tags"
      >
        <Field label="Tags (key=value, one a line)">
          <textarea rows={4} value={tagText} onInput={(e) => setTags((e.target as HTMLTextAreaElement).value)} aria-label="Object tags" />
        </Field>
        <button type="submit" disabled={act.busy}>
          Save tags
        </button>
      </Form>
      <ErrorBox error={act.error} onDismiss={act.clear} />
    </Section>
  );
}
