// S3 bucket settings as the API shapes them, edited as JSON: lifecycle rules, CORS, the bucket
// policy and tags; and an object's metadata and tags. S3 itself validates what is saved.
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
import { ErrorBox, Loading, Section, Tabs, describeError, fmtBytes, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, TextArea, parseJson } from '../lib/form.js';
import { Details } from '../lib/table.js';

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
  const save = async () => {
    await setting.put(s3, bucket, parseJson(shown, 'The text'));
    setSaved(true);
    current.reload();
  };
  const remove = async () => {
    await setting.del(s3, bucket);
    setText(undefined);
    setSaved(false);
    current.reload();
  };
  if (current.loading && !current.data) return <Loading />;
  return (
    <div>
      {current.data && current.data.value === undefined ? (
        <p class="muted">None set ({setting.missing}); an example is filled in.</p>
      ) : null}
      <ErrorBox error={current.error} />
      <ActionForm
        label={setting.label}
        submit="Save"
        primary
        act={act}
        run={save}
        extra={
          <button type="button" class="danger" onClick={() => act.run(remove)}>
            Remove
          </button>
        }
      >
        <TextArea
          label={`${setting.label} (JSON)`}
          aria={`${setting.label} JSON`}
          rows={10}
          cols={70}
          value={shown}
          onValue={(v) => (setText(v), setSaved(false))}
        />
      </ActionForm>
      {saved ? (
        <p role="status" class="ok-text">
          Saved.
        </p>
      ) : null}
      <ActionError act={act} />
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
  const saveTags = async () => {
    const TagSet = tagText
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => ({ Key: l.split('=')[0], Value: l.slice(l.indexOf('=') + 1) }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: objectKey, VersionId: versionId, Tagging: { TagSet } }));
    setTags(undefined);
    info.reload();
  };
  return (
    <Section title={`Object ${objectKey}`} actions={<button onClick={onClose}>Close</button>}>
      <ErrorBox error={info.error} />
      <Details
        loading={info.loading}
        rows={
          head && [
            ['Size', fmtBytes(head.ContentLength)],
            ['Type', head.ContentType],
            ['ETag', <code>{head.ETag}</code>],
            ['Modified', fmtDate(head.LastModified)],
            ['Storage class', head.StorageClass ?? 'STANDARD'],
            ['Version', head.VersionId ? <code>{head.VersionId}</code> : null],
            ['Encryption', head.ServerSideEncryption],
            ...Object.entries(head.Metadata ?? {}).map(([k, v]): [string, string] => [`x-amz-meta-${k}`, v]),
          ]
        }
      />
      <ActionForm label="Edit object tags" submit="Save tags" act={act} run={saveTags}>
        <TextArea label="Tags (key=value, one a line)" aria="Object tags" rows={4} value={tagText} onValue={setTags} />
      </ActionForm>
      <ActionError act={act} />
    </Section>
  );
}
