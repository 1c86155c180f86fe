// One CloudTrail event record, as it appears in the CloudTrailEvent string and in log files, made
// from the gateway's record of a call. Secrets are left out as CloudTrail leaves them out.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { CallRecord, Principal } from '../../kit.js';
import { eventName, eventSource, isDataEvent, isReadOnly, resourcesOf, type EventResource } from './classify.js';

export interface StoredEvent {
  id: string;
  time: number;
  name: string;
  source: string;
  readOnly: boolean;
  username: string;
  accessKeyId: string;
  resources: EventResource[];
  /** the event record (CloudTrailEvent) */
  json: string;
}

/** Members CloudTrail never writes down (secrets, key material, payloads). */
const SECRET =
  /^(SecretAccessKey|Password|NewPassword|OldPassword|Plaintext|PrivateKeyPlaintext|SecretString|SecretBinary|Body|PrivateKey|KeyMaterial|ImportToken|SessionToken|Mac|Signature|CiphertextBlob|PrivateKeyCiphertextBlob|PublicKey|Message|MessageBody|Entries)$/i;

const camel = (k: string) =>
  /^[A-Z]{2,}[a-z]/.test(k) ? k.replace(/^[A-Z]+(?=[A-Z][a-z])/, (m) => m.toLowerCase()) : k[0].toLowerCase() + k.slice(1);

/** A call's input or output in CloudTrail's spelling: camelCase members, dates as ISO, no secrets or bytes. */
export function scrub(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return v.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Buffer.isBuffer(v) || v instanceof Uint8Array || v instanceof Readable) return undefined;
  if (Array.isArray(v)) return depth > 8 ? undefined : v.map((x) => scrub(x, depth + 1));
  if (typeof v === 'object') {
    if (depth > 8) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (SECRET.test(k)) continue;
      const s = scrub(x, depth + 1);
      if (s !== undefined) out[camel(k)] = s;
    }
    return out;
  }
  return v;
}

function userIdentity(p: Principal, time: Date): Record<string, unknown> {
  const base = { principalId: p.userId, arn: p.arn, accountId: p.account, ...(p.accessKeyId ? { accessKeyId: p.accessKeyId } : {}) };
  switch (p.kind) {
    case 'root':
      return { type: 'Root', ...base, principalId: p.account };
    case 'user':
      return { type: 'IAMUser', ...base, userName: p.arn.split('/').pop() };
    case 'assumed-role': {
      const [, role] = p.arn.split(':').pop()!.split('/');
      return {
        type: 'AssumedRole',
        ...base,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: p.userId.split(':')[0],
            arn: `arn:aws:iam::${p.account}:role/${role}`,
            accountId: p.account,
            userName: role,
          },
          attributes: { creationDate: time.toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
        },
      };
    }
    case 'federated-user':
      return {
        type: 'FederatedUser',
        ...base,
        sessionContext: {
          sessionIssuer: { type: 'IAMUser', accountId: p.account },
          attributes: { creationDate: time.toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
        },
      };
    default:
      return { type: 'AWSAccount', principalId: '', accountId: 'anonymous' };
  }
}

function username(p: Principal): string {
  if (p.kind === 'root') return 'root';
  if (p.kind === 'anonymous') return '';
  return p.arn.split('/').pop() ?? '';
}

export function toEvent(call: CallRecord): { event: StoredEvent; record: Record<string, unknown> } {
  const readOnly = isReadOnly(call.operation);
  const data = isDataEvent(call.service, call.operation);
  const input = (call.input ?? {}) as Record<string, unknown>;
  const output = (call.output ?? undefined) as Record<string, unknown> | undefined;
  const params = scrub(
    call.service === 's3' ? { ...input, Bucket: undefined, Key: undefined, bucketName: input.Bucket, key: input.Key } : input,
  ) as Record<string, unknown>;
  const resources = resourcesOf(call.service, call.region, call.account, input, output);
  const id = randomUUID();
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: userIdentity(call.principal, call.time),
    eventTime: call.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: eventSource(call.service),
    eventName: eventName(call.service, call.operation),
    awsRegion: call.region,
    sourceIPAddress: call.sourceIp.replace(/^::ffff:/, ''),
    userAgent: call.userAgent ?? '',
    ...(call.error ? { errorCode: call.error.code, errorMessage: call.error.message } : {}),
    requestParameters: Object.keys(params ?? {}).length ? params : null,
    responseElements: call.error || readOnly || !output ? null : ((scrub(output) as Record<string, unknown>) ?? null),
    requestID: call.requestId,
    eventID: id,
    readOnly,
    ...(data
      ? {
          resources: resources.map((r) => ({
            type: r.ResourceType,
            ARN: r.ResourceName.startsWith('arn:') ? r.ResourceName : `arn:aws:s3:::${r.ResourceName}`,
            accountId: call.account,
          })),
        }
      : {}),
    eventType: 'AwsApiCall',
    managementEvent: !data,
    recipientAccountId: call.account,
    eventCategory: data ? 'Data' : 'Management',
  };
  const event: StoredEvent = {
    id,
    time: call.time.getTime(),
    name: record.eventName as string,
    source: record.eventSource as string,
    readOnly,
    username: username(call.principal),
    accessKeyId: call.principal.accessKeyId ?? '',
    resources,
    json: JSON.stringify(record),
  };
  return { event, record };
}
