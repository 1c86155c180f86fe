// DescribeParameters and GetParametersByPath: the ParameterFilters language (Name, Path, Type,
// KeyId, Tier, DataType, Label, tag:<key> with Equals/BeginsWith/Contains/Recursive/OneLevel) and
// the legacy Filters, paged by name.
import type { RequestContext } from '../../kit.js';
import type { ParameterMetadata, ParameterStringFilter, ParametersFilter, SsmProvider } from '../../generated/ssm.js';
import type { Catalog, Place } from './catalog.js';
import { type ParameterRecord, type VersionRecord, latest } from './store.js';
import { invalidFilterKey, invalidFilterOption, invalidFilterValue, validation } from './errors.js';
import { checkDepth } from './validate.js';
import { pageOf } from './paging.js';

type Test = (rec: ParameterRecord, v: VersionRecord) => boolean;

/** Is `name` under `path` (one level down, or any depth when recursive)? */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  if (!name.startsWith(prefix)) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}

const equalsOnly = (option: string | undefined) => {
  if (option !== undefined && option !== 'Equals')
    throw invalidFilterOption(`The following filter option is not valid: ${option}. Valid options include: [Equals].`);
};

/** One ParameterStringFilter as a test; `byPath` allows only the keys GetParametersByPath takes. */
export function filterTest(f: ParameterStringFilter, byPath: boolean): Test {
  const values = f.Values ?? [];
  const allowed = byPath ? ['Type', 'KeyId', 'Label'] : ['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType'];
  if (!f.Key.startsWith('tag:') && !allowed.includes(f.Key)) {
    throw invalidFilterKey(`The following filter key is not valid: ${f.Key}. Valid filter keys include: [${allowed.join(', ')}].`);
  }
  if (f.Key !== 'Path' && !f.Key.startsWith('tag:') && !values.length)
    throw invalidFilterValue(`The following filter values are missing : null for filter key ${f.Key}.`);
  const opt = f.Option;
  switch (f.Key) {
    case 'Name': {
      if (opt !== undefined && !['Equals', 'BeginsWith', 'Contains'].includes(opt)) {
        throw invalidFilterOption(
          `The following filter option is not valid: ${opt}. Valid options include: [BeginsWith, Equals, Contains].`,
        );
      }
      // names are compared with their leading slash: "Equals foo" finds "/foo" too
      const norm = (s: string) => (s.startsWith('/') ? s : `/${s}`);
      return (rec) =>
        values.some((x) =>
          opt === 'BeginsWith'
            ? norm(rec.name).startsWith(norm(x))
            : opt === 'Contains'
              ? rec.name.includes(x)
              : norm(rec.name) === norm(x),
        );
    }
    case 'Path': {
      if (opt !== undefined && opt !== 'Recursive' && opt !== 'OneLevel') {
        throw invalidFilterOption(`The following filter option is not valid: ${opt}. Valid options include: [Recursive, OneLevel].`);
      }
      const paths = values.length ? values : ['/'];
      for (const p of paths)
        if (!p.startsWith('/'))
          throw invalidFilterValue(`The following path is not valid: ${p}. Valid paths begin with a forward slash (/).`);
      return (rec) => paths.some((p) => underPath(rec.name, p, opt === 'Recursive'));
    }
    case 'Type':
      equalsOnly(opt);
      for (const v of values)
        if (!['String', 'StringList', 'SecureString'].includes(v))
          throw invalidFilterOption(
            `The following filter value is not valid: ${v}. Valid values include: [String, StringList, SecureString].`,
          );
      return (_r, v) => values.includes(v.type);
    case 'KeyId':
      equalsOnly(opt);
      return (_r, v) => v.keyId !== undefined && values.includes(v.keyId);
    case 'Tier':
      equalsOnly(opt);
      for (const v of values)
        if (!['Standard', 'Advanced', 'Intelligent-Tiering'].includes(v))
          throw invalidFilterOption(
            `The following filter value is not valid: ${v}. Valid values include: [Standard, Advanced, Intelligent-Tiering].`,
          );
      return (_r, v) => values.includes(v.tier);
    case 'DataType':
      equalsOnly(opt);
      return (_r, v) => values.includes(v.dataType);
    case 'Label':
      equalsOnly(opt);
      return (rec) => rec.versions.some((v) => v.labels.some((l) => values.includes(l)));
    default: {
      equalsOnly(opt);
      const key = f.Key.slice(4);
      return (rec) => rec.tags.some((t) => t.Key === key && (!values.length || values.includes(t.Value)));
    }
  }
}

/** The legacy DescribeParameters Filters (Name, Type, KeyId: any value equal). */
function legacyTest(f: ParametersFilter): Test {
  const values = f.Values ?? [];
  if (f.Key === 'Name') return (rec) => values.some((x) => rec.name.startsWith(x));
  if (f.Key === 'Type') return (_r, v) => values.includes(v.type);
  if (f.Key === 'KeyId') return (_r, v) => v.keyId !== undefined && values.includes(v.keyId);
  throw validation(
    `1 validation error detected: Value '${f.Key}' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [Name, Type, KeyId]`,
  );
}

export function queryHandlers(catalog: Catalog): Partial<SsmProvider> {
  const place = (ctx: RequestContext): Place => ({ account: ctx.account, region: ctx.region });
  const own = (ctx: RequestContext) => [...catalog.stores.get(ctx.account, ctx.region).parameters.scan()].map(([, r]) => r);
  const byName = (a: ParameterRecord, b: ParameterRecord) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  return {
    DescribeParameters: (input, ctx) => {
      if (input.Filters?.length && input.ParameterFilters?.length)
        throw validation('You can use either Filters or ParameterFilters in a single request.');
      const tests = [...(input.Filters ?? []).map(legacyTest), ...(input.ParameterFilters ?? []).map((f) => filterTest(f, false))];
      const matching = own(ctx)
        .filter((rec) => tests.every((t) => t(rec, latest(rec))))
        .sort(byName);
      const { items, next } = pageOf(matching, input.MaxResults ?? 50, input.NextToken, (r) => r.name);
      const at = place(ctx);
      const metadata: ParameterMetadata[] = items.map((rec) => {
        const v = latest(rec);
        return {
          Name: rec.name,
          ARN: catalog.arn(at, rec.name),
          Type: v.type,
          ...(v.keyId ? { KeyId: v.keyId } : {}),
          LastModifiedDate: new Date(v.modified),
          LastModifiedUser: v.user,
          ...(v.description !== undefined ? { Description: v.description } : {}),
          ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
          Version: v.version,
          Tier: v.tier,
          Policies: [],
          DataType: v.dataType,
        };
      });
      return { Parameters: metadata, NextToken: next };
    },

    GetParametersByPath: (input, ctx) => {
      const path = input.Path;
      if (!path.startsWith('/'))
        throw validation(
          `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`,
        );
      checkDepth(path);
      const tests = (input.ParameterFilters ?? []).map((f) => filterTest(f, true));
      const labels = (input.ParameterFilters ?? []).filter((f) => f.Key === 'Label').flatMap((f) => f.Values ?? []);
      const at = place(ctx);
      const pool = path.startsWith('/aws/') ? catalog.publicParameters(ctx.region) : own(ctx);
      const matching = pool
        .filter((rec) => underPath(rec.name, path, !!input.Recursive) && tests.every((t) => t(rec, latest(rec))))
        .sort(byName);
      const { items, next } = pageOf(matching, input.MaxResults ?? 10, input.NextToken, (r) => r.name);
      // with a Label filter, the labelled version is the one answered
      const versionOf = (rec: ParameterRecord) =>
        labels.length ? [...rec.versions].reverse().find((v) => v.labels.some((l) => labels.includes(l)))! : latest(rec);
      return { Parameters: items.map((rec) => catalog.shape(at, rec, versionOf(rec), input.WithDecryption)), NextToken: next };
    },
  };
}
