// S3: buckets (create, delete, versioning), an object browser with folders and paging, uploads with
// a progress bar (multipart through lib-storage for big files), downloads, deletes, versions and
// presigned links.
import { useState } from 'preact/hooks';
import {
  S3Client,
  ListBucketsCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  GetBucketVersioningCommand,
  PutBucketVersioningCommand,
  type ListObjectsV2CommandOutput,
  type ListObjectVersionsCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { useClient, useSession } from '../lib/session.js';
import { BucketSettings, ObjectDetails } from '../parts/s3-settings.js';
import { Copy, Section, fmtBytes, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, NameForm, TextField } from '../lib/form.js';
import { Pager, ResourceTable, PickLink, StateBadge, type Columns } from '../lib/table.js';

const PAGE = 50;

function Buckets({ s3, onOpen }: { s3: S3Client; onOpen: (b: string) => void }) {
  const { region } = useSession();
  const list = useLoad(() => s3.send(new ListBucketsCommand({})), [s3]);
  const act = useAction();
  const create = async (name: string) => {
    await s3.send(
      new CreateBucketCommand({
        Bucket: name,
        CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as any },
      }),
    );
    list.reload();
  };
  return (
    <Section title="Buckets" refresh={list.reload}>
      <NameForm label="Create bucket" submit="Create bucket" primary act={act} run={create} field="Bucket name" placeholder="my-bucket" />
      <ActionError act={act} />
      <ResourceTable
        label="Buckets"
        load={list}
        loadingText="Listing buckets"
        empty="No buckets in this account yet. Create one above."
        rows={list.data?.Buckets ?? []}
        rowKey={(b) => b.Name!}
        rowProps={(b) => ({ 'data-bucket': b.Name })}
        columns={{
          Name: (b) => (
            <PickLink href={`#/s3`} onPick={() => onOpen(b.Name!)}>
              {b.Name}
            </PickLink>
          ),
          ARN: (b) => <Copy value={`arn:aws:s3:::${b.Name}`} label={`ARN of ${b.Name}`} />,
          Created: (b) => fmtDate(b.CreationDate),
          '': (b) => (
            <DeleteButton
              act={act}
              label={`Delete bucket ${b.Name}`}
              confirm={`Delete bucket ${b.Name}? It must be empty.`}
              run={async () => (await s3.send(new DeleteBucketCommand({ Bucket: b.Name! })), list.reload())}
            />
          ),
        }}
      />
    </Section>
  );
}

function UploadBox({ s3, bucket, prefix, onDone }: { s3: S3Client; bucket: string; prefix: string; onDone: () => void }) {
  const [progress, setProgress] = useState<{ name: string; loaded: number; total: number; done?: boolean }>();
  const [over, setOver] = useState(false);
  const act = useAction();
  const upload = (files: FileList | File[]) =>
    act.run(async () => {
      for (const file of Array.from(files)) {
        setProgress({ name: file.name, loaded: 0, total: file.size });
        const up = new Upload({
          client: s3,
          params: { Bucket: bucket, Key: prefix + file.name, Body: file, ContentType: file.type || undefined },
          partSize: 5 * 1024 * 1024,
          queueSize: 2,
        });
        up.on('httpUploadProgress', (p) => setProgress({ name: file.name, loaded: p.loaded ?? 0, total: p.total ?? file.size }));
        await up.done();
        setProgress({ name: file.name, loaded: file.size, total: file.size, done: true });
      }
      onDone();
    });
  return (
    <div
      class={`drop${over ? ' over' : ''}`}
      onDragOver={(e) => (e.preventDefault(), setOver(true))}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (e.dataTransfer?.files.length) void upload(e.dataTransfer.files);
      }}
    >
      <label>
        Drop files here or{' '}
        <input
          type="file"
          multiple
          aria-label="Upload files"
          disabled={act.busy}
          onChange={(e) => {
            const f = (e.target as HTMLInputElement).files;
            if (f?.length) void upload(f).then(() => ((e.target as HTMLInputElement).value = ''));
          }}
        />
      </label>
      {progress ? (
        <div role="status" aria-live="polite">
          <progress max={progress.total || 1} value={progress.loaded} aria-label={`Upload of ${progress.name}`} /> {progress.name}:{' '}
          {fmtBytes(progress.loaded)} of {fmtBytes(progress.total)}
          {progress.done ? <span class="ok-text"> uploaded</span> : null}
        </div>
      ) : null}
      <ActionError act={act} />
    </div>
  );
}

function Objects({ s3, bucket, onBack }: { s3: S3Client; bucket: string; onBack: () => void }) {
  const [prefix, setPrefix] = useState('');
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [showVersions, setShowVersions] = useState(false);
  const [link, setLink] = useState<string>();
  const [folder, setFolder] = useState('');
  const [details, setDetails] = useState<{ key: string; versionId?: string }>();
  const token = tokens[tokens.length - 1];
  const list = useLoad<ListObjectsV2CommandOutput | ListObjectVersionsCommandOutput>(
    () =>
      showVersions
        ? s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, Delimiter: '/', MaxKeys: PAGE }))
        : s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', MaxKeys: PAGE, ContinuationToken: token })),
    [s3, bucket, prefix, token, showVersions],
  );
  const versioning = useLoad(() => s3.send(new GetBucketVersioningCommand({ Bucket: bucket })), [s3, bucket]);
  const act = useAction();
  const go = (p: string) => {
    setPrefix(p);
    setTokens([undefined]);
  };
  const presign = (key: string, versionId?: string, download = false) =>
    getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId,
        ResponseContentDisposition: download ? `attachment; filename="${key.split('/').pop()}"` : undefined,
      }),
      {
        expiresIn: 3600,
      },
    );
  const download = (key: string, versionId?: string) =>
    act.run(async () => {
      const a = document.createElement('a');
      a.href = await presign(key, versionId, true);
      a.download = key.split('/').pop() ?? key;
      document.body.append(a);
      a.click();
      a.remove();
    });
  const setVersioning = (Status: 'Enabled' | 'Suspended') =>
    act.run(async () => {
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status } }));
      versioning.reload();
    });
  const createFolder = async () => {
    const name = folder.replace(/\/+$/, '');
    if (!name) return;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${name}/`, Body: '' }));
    setFolder('');
    list.reload();
  };
  const parts = prefix.split('/').filter(Boolean);
  const data = list.data as (ListObjectsV2CommandOutput & ListObjectVersionsCommandOutput) | undefined;
  const folders = data?.CommonPrefixes ?? [];
  type Row = { key: string; size?: number; modified?: Date; versionId?: string; latest?: boolean; marker?: boolean; storage?: string };
  const rows: Row[] = showVersions
    ? [
        ...(data?.Versions ?? []).map((v) => ({
          key: v.Key!,
          size: v.Size,
          modified: v.LastModified,
          versionId: v.VersionId,
          latest: v.IsLatest,
          storage: v.StorageClass,
        })),
        ...(data?.DeleteMarkers ?? []).map((d) => ({
          key: d.Key!,
          modified: d.LastModified,
          versionId: d.VersionId,
          latest: d.IsLatest,
          marker: true,
        })),
      ].sort((a, b) => a.key.localeCompare(b.key) || +(b.modified ?? 0) - +(a.modified ?? 0))
    : (data?.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size, modified: o.LastModified, storage: o.StorageClass }));
  const visible = rows.filter((r) => r.key !== prefix);
  const status = versioning.data?.Status;
  const columns: Columns<Row> = {
    Key: (o) =>
      o.marker ? (
        o.key.slice(prefix.length)
      ) : (
        <button class="link" onClick={() => setDetails({ key: o.key, versionId: o.versionId })} aria-label={`Details of ${o.key}`}>
          {o.key.slice(prefix.length)}
        </button>
      ),
    ...(showVersions
      ? {
          Version: (o: Row) => (
            <>
              <code class="small">{o.versionId}</code>
              {o.latest ? <StateBadge state="latest" tone="ok" /> : null}
              {o.marker ? <StateBadge state="delete marker" tone="warn" /> : null}
            </>
          ),
        }
      : {}),
    Size: (o) => fmtBytes(o.size),
    'Last modified': (o) => fmtDate(o.modified),
    'Storage class': (o) => o.storage ?? '',
    '': {
      class: 'actions',
      cell: (o) => (
        <>
          {!o.marker ? (
            <>
              <button onClick={() => download(o.key, o.versionId)} aria-label={`Download ${o.key}`}>
                Download
              </button>
              <button
                onClick={() => act.run(async () => setLink(await presign(o.key, o.versionId)))}
                aria-label={`Presigned link for ${o.key}`}
              >
                Link
              </button>
            </>
          ) : null}
          <DeleteButton
            act={act}
            label={`Delete ${o.key}`}
            confirm={`Delete ${o.key}${o.versionId ? ` (version ${o.versionId})` : ''}?`}
            run={async () => (
              await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.key, VersionId: o.versionId })),
              list.reload()
            )}
          />
        </>
      ),
    },
  };
  return (
    <>
      <Section
        title={`Bucket ${bucket}`}
        actions={
          <>
            <span class="muted">Versioning: {status ?? 'never enabled'}</span>
            {status === 'Enabled' ? (
              <button onClick={() => setVersioning('Suspended')}>Suspend versioning</button>
            ) : (
              <button onClick={() => setVersioning('Enabled')}>Enable versioning</button>
            )}
            <label>
              <input type="checkbox" checked={showVersions} onChange={(e) => setShowVersions((e.target as HTMLInputElement).checked)} />{' '}
              Show versions
            </label>
            <button onClick={list.reload}>Refresh</button>
            <button onClick={onBack}>All buckets</button>
          </>
        }
      >
        <Copy value={`arn:aws:s3:::${bucket}`} label="bucket ARN" />
        <nav class="crumbs" aria-label="Folder">
          <button class="link" onClick={() => go('')}>
            {bucket}
          </button>
          {parts.map((p, i) => (
            <span key={i}>
              /{' '}
              <button class="link" onClick={() => go(parts.slice(0, i + 1).join('/') + '/')}>
                {p}
              </button>
            </span>
          ))}
        </nav>
        <UploadBox s3={s3} bucket={bucket} prefix={prefix} onDone={list.reload} />
        <ActionForm label="Create folder" submit="Create folder" act={act} run={createFolder}>
          <TextField label="New folder" aria="Folder name" value={folder} onValue={setFolder} />
        </ActionForm>
        <ActionError act={act} also={[list.error, versioning.error]} />
        {link ? (
          <div class="panel">
            Presigned link (1 hour): <Copy value={link} label="presigned link" />{' '}
            <button class="link" onClick={() => setLink(undefined)}>
              Close
            </button>
          </div>
        ) : null}
        <ResourceTable
          label="Objects"
          loading={list.loading && !list.data}
          loadingText="Listing objects"
          empty={list.error ? null : prefix ? 'This folder is empty.' : 'This bucket is empty. Upload a file above.'}
          rows={visible}
          rowKey={(o) => o.key + (o.versionId ?? '')}
          rowProps={(o) => ({ 'data-key': o.key })}
          columns={columns}
          before={
            folders.length
              ? folders.map((f) => (
                  <tr key={f.Prefix}>
                    <td>
                      <button class="link" onClick={() => go(f.Prefix!)}>
                        📁 {f.Prefix!.slice(prefix.length)}
                      </button>
                    </td>
                    <td colSpan={Object.keys(columns).length - 1} class="muted">
                      folder
                    </td>
                  </tr>
                ))
              : undefined
          }
        />
        {!showVersions ? (
          <Pager
            page={tokens.length}
            onPrev={tokens.length < 2 ? undefined : () => setTokens(tokens.slice(0, -1))}
            onNext={data?.IsTruncated ? () => setTokens([...tokens, data?.NextContinuationToken]) : undefined}
          />
        ) : data?.IsTruncated ? (
          <p class="muted">Showing the first {PAGE} versions.</p>
        ) : null}
      </Section>
      {details ? (
        <ObjectDetails
          key={details.key + (details.versionId ?? '')}
          s3={s3}
          bucket={bucket}
          objectKey={details.key}
          versionId={details.versionId}
          onClose={() => setDetails(undefined)}
        />
      ) : null}
      <BucketSettings s3={s3} bucket={bucket} />
    </>
  );
}

export default function S3Page() {
  const s3 = useClient(S3Client, {
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const [bucket, setBucket] = useState<string>();
  return (
    <div>
      <h1>Amazon S3</h1>
      {bucket ? <Objects s3={s3} bucket={bucket} onBack={() => setBucket(undefined)} /> : <Buckets s3={s3} onOpen={setBucket} />}
    </div>
  );
}
