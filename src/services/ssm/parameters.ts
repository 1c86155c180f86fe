// PutParameter, GetParameter(s), DeleteParameter(s), GetParameterHistory and the version labels.
import { ServiceError, type RequestContext } from '../../kit.js';
import type { ParameterHistory, SsmProvider } from '../../generated/ssm.js';
import { type Catalog, type Place } from './catalog.js';
import { MAX_VERSIONS, type ParameterRecord, type VersionRecord, latest } from './store.js';
import { alreadyExists, parameterNotFound, validation, versionNotFound } from './errors.js';
import { checkDataType, checkName, checkPattern, chooseTier, invalidLabel, parseSelector } from './validate.js';
import { checkTags } from './tags.js';
import { pageOf } from './paging.js';

const DEFAULT_KEY = 'alias/aws/ssm';
const MAX_LABELS = 10;

const place = (ctx: RequestContext): Place => ({ account: ctx.account, region: ctx.region });

export function parameterHandlers(catalog: Catalog): Partial<SsmProvider> {
  const store = (ctx: RequestContext) => catalog.stores.get(ctx.account, ctx.region).parameters;

  /** An own parameter by plain name or ARN (no selector), or ParameterNotFound naming it. */
  function own(ctx: RequestContext, raw: string): ParameterRecord {
    const { name } = parseSelector(raw);
    const rec = store(ctx).get(name) ?? (name.startsWith('/') ? store(ctx).get(name.slice(1)) : undefined);
    if (!rec) throw parameterNotFound(name);
    return rec;
  }

  function encrypt(ctx: RequestContext, name: string, value: string, keyId: string | undefined): string {
    const kms = catalog.rt.integrations.kms;
    if (!kms) throw new ServiceError('InternalServerError', 'KMS is not available.', 500);
    const key = keyId ?? kms.awsManagedKey(ctx.account, ctx.region, 'ssm');
    try {
      return kms
        .encrypt(ctx.account, ctx.region, key, Buffer.from(value, 'utf8'), { PARAMETER_ARN: catalog.arn(place(ctx), name) })
        .ciphertext.toString('base64');
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'NotFoundException') throw new ServiceError('InvalidKeyId', e.message, 400);
      throw e;
    }
  }

  return {
    PutParameter: (input, ctx) => {
      const name = input.Name;
      checkName(name);
      const prev = store(ctx).get(name);
      const last = prev ? latest(prev) : undefined;
      if (input.Value === '')
        throw validation(
          "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1.",
        );
      if (input.Overwrite && input.Tags?.length) {
        throw validation(
          "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
        );
      }
      if (!prev && !input.Type) throw validation('A parameter type is required when you create a parameter.');
      if (prev && !input.Overwrite) throw alreadyExists();
      const type = input.Type ?? last!.type;
      if (input.KeyId !== undefined && type !== 'SecureString') throw validation('KeyId is required for SecureString type parameter only.');
      const dataType = input.DataType ?? last?.dataType ?? 'text';
      checkDataType(dataType, type, input.Value);
      const allowedPattern = input.AllowedPattern ?? last?.allowedPattern;
      checkPattern(input.Value, allowedPattern);
      const policies = input.Policies ?? last?.policies;
      const tier = chooseTier(input.Tier, last?.tier, input.Value, !!policies && policies !== '[]');
      if (input.Tags) checkTags(input.Tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' })));
      const versions = prev ? [...prev.versions] : [];
      if (versions.length >= MAX_VERSIONS) {
        if (versions[0].labels.length) {
          throw new ServiceError(
            'ParameterMaxVersionLimitExceeded',
            `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${versions[0].version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
            400,
          );
        }
        versions.shift();
      }
      const keyId =
        type === 'SecureString' ? (input.KeyId ?? (last?.type === 'SecureString' ? last.keyId : undefined) ?? DEFAULT_KEY) : undefined;
      const version: VersionRecord = {
        version: last ? last.version + 1 : 1,
        type,
        tier,
        dataType,
        labels: [],
        modified: ctx.clock.nowMs(),
        user: ctx.principal.arn,
        value: type === 'SecureString' ? encrypt(ctx, name, input.Value, keyId === DEFAULT_KEY ? undefined : keyId) : input.Value,
        ...(keyId ? { keyId } : {}),
        ...((input.Description ?? last?.description) !== undefined ? { description: input.Description ?? last?.description } : {}),
        ...(allowedPattern !== undefined ? { allowedPattern } : {}),
        ...(policies !== undefined ? { policies } : {}),
      };
      versions.push(version);
      store(ctx).put(name, { name, versions, tags: prev?.tags ?? (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' })) });
      return { Version: version.version, Tier: tier };
    },

    GetParameter: (input, ctx) => {
      const at = place(ctx);
      const { record, version, selector } = catalog.resolve(at, input.Name);
      return { Parameter: catalog.shape(at, record, version, input.WithDecryption, selector) };
    },

    GetParameters: (input, ctx) => {
      const at = place(ctx);
      const found = [];
      const invalid: string[] = [];
      for (const raw of [...new Set(input.Names)]) {
        try {
          const { record, version, selector } = catalog.resolve(at, raw);
          found.push(catalog.shape(at, record, version, input.WithDecryption, selector));
        } catch (e) {
          if (!(e instanceof ServiceError) || (e.code !== 'ParameterNotFound' && e.code !== 'ParameterVersionNotFound')) throw e;
          invalid.push(raw);
        }
      }
      return { Parameters: found, InvalidParameters: invalid };
    },

    DeleteParameter: (input, ctx) => {
      const rec = own(ctx, input.Name);
      store(ctx).delete(rec.name);
      return {};
    },

    DeleteParameters: (input, ctx) => {
      const deleted: string[] = [];
      const invalid: string[] = [];
      for (const name of input.Names) {
        if (store(ctx).has(name)) {
          store(ctx).delete(name);
          deleted.push(name);
        } else invalid.push(name);
      }
      return { DeletedParameters: deleted, InvalidParameters: invalid };
    },

    GetParameterHistory: (input, ctx) => {
      const at = place(ctx);
      const rec = own(ctx, input.Name);
      const { items, next } = pageOf(rec.versions, input.MaxResults ?? 50, input.NextToken, (v) => String(v.version).padStart(4, '0'));
      const history: ParameterHistory[] = items.map((v) => ({
        Name: rec.name,
        Type: v.type,
        ...(v.keyId ? { KeyId: v.keyId } : {}),
        LastModifiedDate: new Date(v.modified),
        LastModifiedUser: v.user,
        ...(v.description !== undefined ? { Description: v.description } : {}),
        Value: catalog.valueOf(at, rec.name, v, input.WithDecryption),
        ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
        Version: v.version,
        Labels: v.labels,
        Tier: v.tier,
        Policies: [],
        DataType: v.dataType,
      }));
      return { Parameters: history, NextToken: next };
    },

    LabelParameterVersion: (input, ctx) => {
      const rec = own(ctx, input.Name);
      const number = input.ParameterVersion ?? latest(rec).version;
      const target = rec.versions.find((v) => v.version === number);
      if (!target) throw versionNotFound(rec.name, number);
      const invalid = input.Labels.filter(invalidLabel);
      const wanted = input.Labels.filter((l) => !invalidLabel(l) && !target.labels.includes(l));
      if (target.labels.length + wanted.length > MAX_LABELS) {
        throw new ServiceError(
          'ParameterVersionLabelLimitExceeded',
          'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.',
          400,
        );
      }
      // a label names one version: attaching it here moves it off any other
      for (const v of rec.versions) if (v !== target) v.labels = v.labels.filter((l) => !wanted.includes(l));
      target.labels.push(...wanted);
      store(ctx).put(rec.name, rec);
      return { InvalidLabels: invalid, ParameterVersion: number };
    },

    UnlabelParameterVersion: (input, ctx) => {
      const rec = own(ctx, input.Name);
      const target = rec.versions.find((v) => v.version === input.ParameterVersion);
      if (!target) throw versionNotFound(rec.name, input.ParameterVersion);
      const removed = input.Labels.filter((l) => target.labels.includes(l));
      target.labels = target.labels.filter((l) => !removed.includes(l));
      store(ctx).put(rec.name, rec);
      return { RemovedLabels: removed, InvalidLabels: input.Labels.filter((l) => !removed.includes(l)) };
    },
  };
}
