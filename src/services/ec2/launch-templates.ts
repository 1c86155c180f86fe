// Launch templates and their versions, and what RunInstances takes from one.
import type { Ec2Provider, RunInstancesRequest, Tag, TagSpecification } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, page, type Fields } from './filters.js';
import { ec2Error, invalidParam, missing } from './errors.js';

const ltFields: Fields<Rec> = { 'launch-template-name': (t) => t.LaunchTemplateName, 'create-time': (t) => t.CreateTime };
const NAME = /^[a-zA-Z0-9().\-/_]{3,128}$/;

export function findTemplate(s: Ec2State, ctx: RequestContext, id: string | undefined, name: string | undefined): Rec {
  if (id) {
    const t = s.find(ctx, 'lt', id);
    if (!t) throw ec2Error('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);
    return t;
  }
  if (!name) throw missing('LaunchTemplateId');
  const t = s.all(ctx, 'lt').find((x) => x.LaunchTemplateName === name);
  if (!t)
    throw ec2Error(
      'InvalidLaunchTemplateName.NotFoundException',
      `The specified launch template, with template name ${name}, does not exist.`,
    );
  return t;
}

/** A version by number, `$Latest` or `$Default` (default: the default version). */
export function templateVersion(t: Rec, version: string | undefined): Rec {
  const n =
    version === undefined || version === '$Default'
      ? t.DefaultVersionNumber
      : version === '$Latest'
        ? t.LatestVersionNumber
        : Number(version);
  const v = t._versions.find((x: Rec) => x.VersionNumber === n);
  if (!v)
    throw ec2Error(
      'InvalidLaunchTemplateId.VersionNotFound',
      `Could not find launch template version ${version} for launch template ID ${t.LaunchTemplateId}.`,
    );
  return v;
}

/** RunInstances' input with its launch template's data filled in where the request leaves it out. */
export function withTemplate(
  s: Ec2State,
  ctx: RequestContext,
  input: RunInstancesRequest,
): { input: RunInstancesRequest; tags: Rec['Tags'] } {
  if (!input.LaunchTemplate) return { input, tags: [] };
  const t = findTemplate(s, ctx, input.LaunchTemplate.LaunchTemplateId, input.LaunchTemplate.LaunchTemplateName);
  const v = templateVersion(t, input.LaunchTemplate.Version);
  const d: Rec = v.LaunchTemplateData ?? {};
  const merged: Rec = { ...input };
  for (const k of [
    'ImageId',
    'InstanceType',
    'KeyName',
    'UserData',
    'MetadataOptions',
    'Placement',
    'IamInstanceProfile',
    'DisableApiTermination',
    'DisableApiStop',
    'InstanceInitiatedShutdownBehavior',
    'Monitoring',
    'EbsOptimized',
    'BlockDeviceMappings',
    'InstanceMarketOptions',
    'CreditSpecification',
    'CpuOptions',
    'HibernationOptions',
    'EnclaveOptions',
    'PrivateDnsNameOptions',
    'MaintenanceOptions',
  ]) {
    if (merged[k] === undefined && d[k] !== undefined) merged[k] = d[k];
  }
  if (!merged.SecurityGroupIds?.length && !merged.SecurityGroups?.length && !merged.NetworkInterfaces?.length) {
    if (d.SecurityGroupIds?.length) merged.SecurityGroupIds = d.SecurityGroupIds;
    if (d.SecurityGroups?.length) merged.SecurityGroups = d.SecurityGroups;
  }
  if (!merged.SubnetId && !merged.NetworkInterfaces?.length && d.NetworkInterfaces?.length) merged.NetworkInterfaces = d.NetworkInterfaces;
  merged.TagSpecifications = mergeTagSpecs(d.TagSpecifications ?? [], input.TagSpecifications ?? []);
  return {
    input: merged as RunInstancesRequest,
    tags: [
      { Key: 'aws:ec2launchtemplate:id', Value: t.LaunchTemplateId },
      { Key: 'aws:ec2launchtemplate:version', Value: String(v.VersionNumber) },
    ],
  };
}

/** The template's tags and the request's both apply, per resource type; the request's value wins on a shared key. */
export function mergeTagSpecs(template: TagSpecification[], request: TagSpecification[]): TagSpecification[] {
  const byType = new Map<TagSpecification['ResourceType'], Map<string | undefined, Tag>>();
  for (const spec of [...template, ...request]) {
    const tags = byType.get(spec.ResourceType) ?? new Map<string | undefined, Tag>();
    for (const t of spec.Tags ?? []) tags.set(t.Key, t);
    byType.set(spec.ResourceType, tags);
  }
  return [...byType].map(([ResourceType, tags]) => ({ ResourceType, Tags: [...tags.values()] }));
}

export function launchTemplateHandlers(s: Ec2State): Ec2Provider {
  const summary = (t: Rec) => out<Rec>({ ...t, _versions: undefined });
  const arn = (ctx: RequestContext) => `arn:aws:iam::${ctx.account}:root`;

  return {
    CreateLaunchTemplate: (input, ctx) => {
      if (!input.LaunchTemplateName) throw missing('LaunchTemplateName');
      if (!NAME.test(input.LaunchTemplateName))
        throw ec2Error(
          'InvalidLaunchTemplateName.MalformedException',
          "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'",
        );
      if (s.all(ctx, 'lt').some((t) => t.LaunchTemplateName === input.LaunchTemplateName)) {
        throw ec2Error('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
      }
      if (!input.LaunchTemplateData) throw missing('LaunchTemplateData');
      const id = newId('lt');
      const now = s.now(ctx);
      const t = {
        LaunchTemplateId: id,
        LaunchTemplateName: input.LaunchTemplateName,
        CreateTime: now,
        CreatedBy: arn(ctx),
        DefaultVersionNumber: 1,
        LatestVersionNumber: 1,
        Tags: tagsFor(input.TagSpecifications, 'launch-template'),
        _versions: [
          {
            LaunchTemplateId: id,
            LaunchTemplateName: input.LaunchTemplateName,
            VersionNumber: 1,
            VersionDescription: input.VersionDescription,
            CreateTime: now,
            CreatedBy: arn(ctx),
            LaunchTemplateData: input.LaunchTemplateData,
          },
        ],
      };
      s.put(ctx, 'lt', id, t);
      return { LaunchTemplate: summary(t) };
    },

    CreateLaunchTemplateVersion: (input, ctx) => {
      const t = findTemplate(s, ctx, input.LaunchTemplateId, input.LaunchTemplateName);
      if (!input.LaunchTemplateData) throw missing('LaunchTemplateData');
      const base = input.SourceVersion ? templateVersion(t, input.SourceVersion).LaunchTemplateData : {};
      const n = t.LatestVersionNumber + 1;
      const v = {
        LaunchTemplateId: t.LaunchTemplateId,
        LaunchTemplateName: t.LaunchTemplateName,
        VersionNumber: n,
        VersionDescription: input.VersionDescription,
        CreateTime: s.now(ctx),
        CreatedBy: arn(ctx),
        LaunchTemplateData: { ...base, ...input.LaunchTemplateData },
      };
      t._versions.push(v);
      t.LatestVersionNumber = n;
      s.put(ctx, 'lt', t.LaunchTemplateId, t);
      return { LaunchTemplateVersion: out({ ...v, DefaultVersion: false }) };
    },

    DescribeLaunchTemplates: (input, ctx) => {
      let ts = s.all(ctx, 'lt');
      if (input.LaunchTemplateIds?.length) ts = input.LaunchTemplateIds.map((id) => findTemplate(s, ctx, id, undefined));
      if (input.LaunchTemplateNames?.length) ts = input.LaunchTemplateNames.map((n) => findTemplate(s, ctx, undefined, n));
      const p = page(applyFilters(ts, input.Filters, ltFields), input.MaxResults, input.NextToken, { min: 1, max: 200 });
      return { LaunchTemplates: p.items.map(summary), NextToken: p.NextToken };
    },

    DescribeLaunchTemplateVersions: (input, ctx) => {
      const t = findTemplate(s, ctx, input.LaunchTemplateId, input.LaunchTemplateName);
      let versions: Rec[] = input.Versions?.length ? input.Versions.map((v) => templateVersion(t, v)) : t._versions;
      if (input.MinVersion) versions = versions.filter((v) => v.VersionNumber >= Number(input.MinVersion));
      if (input.MaxVersion) versions = versions.filter((v) => v.VersionNumber <= Number(input.MaxVersion));
      const p = page([...versions].reverse(), input.MaxResults, input.NextToken, { min: 1, max: 200 });
      return {
        LaunchTemplateVersions: out(p.items.map((v) => ({ ...v, DefaultVersion: v.VersionNumber === t.DefaultVersionNumber }))),
        NextToken: p.NextToken,
      };
    },

    ModifyLaunchTemplate: (input, ctx) => {
      const t = findTemplate(s, ctx, input.LaunchTemplateId, input.LaunchTemplateName);
      if (input.DefaultVersion !== undefined) {
        const v = templateVersion(t, input.DefaultVersion);
        t.DefaultVersionNumber = v.VersionNumber;
      }
      s.put(ctx, 'lt', t.LaunchTemplateId, t);
      return { LaunchTemplate: summary(t) };
    },

    DeleteLaunchTemplate: (input, ctx) => {
      const t = findTemplate(s, ctx, input.LaunchTemplateId, input.LaunchTemplateName);
      s.delete(ctx, 'lt', t.LaunchTemplateId);
      return { LaunchTemplate: summary(t) };
    },

    DeleteLaunchTemplateVersions: (input, ctx) => {
      const t = findTemplate(s, ctx, input.LaunchTemplateId, input.LaunchTemplateName);
      const ok: Rec[] = [];
      const failed: Rec[] = [];
      for (const ver of input.Versions ?? []) {
        const n = Number(ver);
        if (n === t.DefaultVersionNumber) {
          failed.push({
            LaunchTemplateId: t.LaunchTemplateId,
            LaunchTemplateName: t.LaunchTemplateName,
            VersionNumber: n,
            ResponseError: {
              Code: 'launchTemplateVersionIsDefaultVersion',
              Message: 'Cannot delete the default version of the launch template.',
            },
          });
        } else if (t._versions.some((v: Rec) => v.VersionNumber === n)) {
          t._versions = t._versions.filter((v: Rec) => v.VersionNumber !== n);
          ok.push({ LaunchTemplateId: t.LaunchTemplateId, LaunchTemplateName: t.LaunchTemplateName, VersionNumber: n });
        } else {
          failed.push({
            LaunchTemplateId: t.LaunchTemplateId,
            LaunchTemplateName: t.LaunchTemplateName,
            VersionNumber: n,
            ResponseError: { Code: 'launchTemplateVersionDoesNotExist', Message: `Launch template version ${ver} does not exist.` },
          });
        }
      }
      if (!input.Versions?.length) throw invalidParam('The request must contain the parameter LaunchTemplateVersion');
      s.put(ctx, 'lt', t.LaunchTemplateId, t);
      return { SuccessfullyDeletedLaunchTemplateVersions: ok as never, UnsuccessfullyDeletedLaunchTemplateVersions: failed as never };
    },
  };
}
