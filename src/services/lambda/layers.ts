// Layers: versions of a zip published once (stored by hash like function code), attached to functions
// by ARN. Nimbus has no /opt: an environment finds a layer's files through the paths the runtimes
// search there (nodejs/node_modules on NODE_PATH, python on PYTHONPATH, bin on PATH, lib on LD_LIBRARY_PATH).
import type { Runtime, RequestContext, Stores, Collection, StoreScope } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { LambdaProvider, GetLayerVersionResponse, LayerVersionsListItem } from '../../generated/lambda.js';
import { storeCode } from './code.js';
import { invalidValue, lastModifiedText } from './model.js';

export interface LayerRecord {
  name: string;
  version: number;
  description: string;
  codeSha: string;
  codeSize: number;
  runtimes: string[];
  architectures: string[];
  license?: string;
  created: number;
}

export interface LayerStore {
  account: string;
  region: string;
  /** key: name \0 version (padded) */
  layers: Collection<LayerRecord>;
}

export const makeLayerStore = (scope: StoreScope): LayerStore => ({
  account: scope.account,
  region: scope.region,
  layers: scope.collection('layers'),
});

const key = (name: string, version: number) => `${name}\0${String(version).padStart(10, '0')}`;
const LAYER_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]+):(\d+)$/;
const layerNotFound = () =>
  new ServiceError('ResourceNotFoundException', 'The resource you requested does not exist.', 404, { Type: 'User' });

/** The layer versions behind a function's Layers ARNs; refuses unknown ones as AWS does. */
export function resolveLayers(stores: Stores<LayerStore>, arns: string[]): LayerRecord[] {
  if (arns.length > 5) throw invalidValue('Cannot reference more than 5 layers.');
  return arns.map((arn) => {
    const m = LAYER_ARN.exec(arn);
    const rec = m ? stores.get(m[2], m[1]).layers.get(key(m[3], Number(m[4]))) : undefined;
    if (!rec) throw invalidValue(`Layer version ${arn} does not exist.`);
    return rec;
  });
}

export function layerHandlers(rt: Runtime, stores: Stores<LayerStore>): LambdaProvider {
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const arnOf = (s: LayerStore, name: string) => `arn:aws:lambda:${s.region}:${s.account}:layer:${name}`;
  const item = (s: LayerStore, r: LayerRecord): LayerVersionsListItem => ({
    LayerVersionArn: `${arnOf(s, r.name)}:${r.version}`,
    Version: r.version,
    Description: r.description,
    CreatedDate: lastModifiedText(r.created),
    CompatibleRuntimes: r.runtimes as LayerVersionsListItem['CompatibleRuntimes'],
    CompatibleArchitectures: r.architectures as LayerVersionsListItem['CompatibleArchitectures'],
    ...(r.license ? { LicenseInfo: r.license } : {}),
  });
  const full = (s: LayerStore, r: LayerRecord): GetLayerVersionResponse => ({
    ...item(s, r),
    LayerArn: arnOf(s, r.name),
    Content: {
      Location: `${rt.endpoint}/_nimbus/lambda/code?sha=${Buffer.from(r.codeSha, 'base64').toString('hex')}`,
      CodeSha256: r.codeSha,
      CodeSize: r.codeSize,
    },
  });
  const latest = (s: LayerStore, name: string) => [...s.layers.scan({ prefix: `${name}\0`, reverse: true, limit: 1 })][0]?.[1];

  return {
    async PublishLayerVersion(i, ctx) {
      const s = storeOf(ctx);
      const c = i.Content ?? {};
      let zip: Buffer;
      if (c.ZipFile) zip = Buffer.from(c.ZipFile);
      else if (c.S3Bucket && c.S3Key && rt.integrations.s3)
        zip = await rt.integrations.s3.getObject(ctx.account, c.S3Bucket, c.S3Key, c.S3ObjectVersion);
      else throw invalidValue('Please provide a source for layer content.');
      const code = await storeCode(rt, zip);
      const version = (latest(s, i.LayerName)?.version ?? 0) + 1;
      const rec: LayerRecord = {
        name: i.LayerName,
        version,
        description: i.Description ?? '',
        codeSha: code.sha256,
        codeSize: code.size,
        runtimes: i.CompatibleRuntimes ?? [],
        architectures: i.CompatibleArchitectures ?? [],
        license: i.LicenseInfo,
        created: rt.clock.nowMs(),
      };
      s.layers.put(key(i.LayerName, version), rec);
      return full(s, rec);
    },
    GetLayerVersion(i, ctx) {
      const s = storeOf(ctx);
      const r = s.layers.get(key(i.LayerName, i.VersionNumber));
      if (!r) throw layerNotFound();
      return full(s, r);
    },
    GetLayerVersionByArn(i) {
      const m = LAYER_ARN.exec(i.Arn);
      const s = m ? stores.get(m[2], m[1]) : undefined;
      const r = m && s ? s.layers.get(key(m[3], Number(m[4]))) : undefined;
      if (!r || !s) throw layerNotFound();
      return full(s, r);
    },
    ListLayerVersions(i, ctx) {
      const s = storeOf(ctx);
      const all = [...s.layers.scan({ prefix: `${i.LayerName}\0`, reverse: true })]
        .map(([, r]) => r)
        .filter(
          (r) =>
            (!i.CompatibleRuntime || r.runtimes.includes(i.CompatibleRuntime)) &&
            (!i.CompatibleArchitecture || r.architectures.includes(i.CompatibleArchitecture)),
        );
      return { LayerVersions: all.map((r) => item(s, r)) };
    },
    ListLayers(i, ctx) {
      const s = storeOf(ctx);
      const byName = new Map<string, LayerRecord>();
      for (const [, r] of s.layers.scan()) {
        if (i.CompatibleRuntime && !r.runtimes.includes(i.CompatibleRuntime)) continue;
        if (i.CompatibleArchitecture && !r.architectures.includes(i.CompatibleArchitecture)) continue;
        byName.set(r.name, r); // scan order: the last one seen is the latest version
      }
      return {
        Layers: [...byName.values()].map((r) => ({ LayerName: r.name, LayerArn: arnOf(s, r.name), LatestMatchingVersion: item(s, r) })),
      };
    },
    DeleteLayerVersion(i, ctx) {
      storeOf(ctx).layers.delete(key(i.LayerName, i.VersionNumber));
    },
  };
}
