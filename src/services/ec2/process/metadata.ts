// The instance metadata an instance in process mode reads from IMDS, built from its record: the
// categories of `/latest/meta-data/` EC2 documents that Nimbus has values for, the user data, the
// instance identity document, the instance profile's role credentials, and the instance's tags
// when InstanceMetadataTags is enabled.
import type { Rec } from '../store.js';
import type { ProfileRole, RoleCredentials } from './credentials.js';

export type Tree = { [key: string]: Tree | string | (() => Promise<string | undefined>) | undefined };

export interface TreeExtras {
  account: string;
  region: string;
  subnetCidr?: string;
  vpcCidr?: string;
  role?: ProfileRole;
  /** the role's credentials, issued when first asked for */
  credentials(): RoleCredentials | undefined;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const json = (o: unknown) => JSON.stringify(o, null, 2);

export function metadataTree(rec: Rec, x: TreeExtras): Tree {
  const eni: Rec = rec.NetworkInterfaces?.[0] ?? {};
  const groups: Rec[] = rec.SecurityGroups ?? [];
  const mac: string = eni.MacAddress ?? '';
  const publicIp: string | undefined = rec.PublicIpAddress;
  const publicDns: string | undefined = rec.PublicDnsName || undefined;
  const iam: Tree | undefined = x.role && {
    info: json({
      Code: 'Success',
      LastUpdated: stamp(Date.parse(rec.LaunchTime)),
      InstanceProfileArn: x.role.profileArn,
      InstanceProfileId: x.role.profileId,
    }),
    'security-credentials': {
      [x.role.roleName]: async () => {
        const c = x.credentials();
        if (!c) return undefined;
        return json({
          Code: 'Success',
          LastUpdated: stamp(c.issuedAt),
          Type: 'AWS-HMAC',
          AccessKeyId: c.accessKeyId,
          SecretAccessKey: c.secretAccessKey,
          Token: c.token,
          Expiration: stamp(c.expiresAt),
        });
      },
    },
  };
  const tags: Tree | undefined =
    rec.MetadataOptions?.InstanceMetadataTags === 'enabled'
      ? {
          instance: Object.fromEntries(
            ((rec.Tags ?? []) as Array<{ Key: string; Value: string }>).filter((t) => !t.Key.includes('/')).map((t) => [t.Key, t.Value]),
          ),
        }
      : undefined;
  const userData = rec._userData ? Buffer.from(rec._userData, 'base64').toString('utf8') : undefined;
  return {
    'meta-data': {
      'ami-id': rec.ImageId,
      'ami-launch-index': String(rec.AmiLaunchIndex ?? 0),
      'block-device-mapping': { ami: rec.RootDeviceName, root: rec.RootDeviceName },
      hostname: rec.PrivateDnsName,
      ...(iam ? { iam } : {}),
      'instance-action': 'none',
      'instance-id': rec.InstanceId,
      'instance-life-cycle': rec.InstanceLifecycle ?? 'on-demand',
      'instance-type': rec.InstanceType,
      'local-hostname': rec.PrivateDnsName,
      'local-ipv4': rec.PrivateIpAddress,
      mac,
      network: {
        interfaces: {
          macs: {
            [mac]: {
              'device-number': '0',
              'interface-id': eni.NetworkInterfaceId,
              'local-hostname': rec.PrivateDnsName,
              'local-ipv4s': rec.PrivateIpAddress,
              mac,
              'owner-id': x.account,
              ...(publicIp ? { 'public-ipv4s': publicIp, 'public-hostname': publicDns } : {}),
              'security-group-ids': groups.map((g) => g.GroupId).join('\n'),
              'security-groups': groups.map((g) => g.GroupName).join('\n'),
              'subnet-id': rec.SubnetId,
              'subnet-ipv4-cidr-block': x.subnetCidr,
              'vpc-id': rec.VpcId,
              'vpc-ipv4-cidr-block': x.vpcCidr,
            },
          },
        },
      },
      placement: {
        'availability-zone': rec.Placement?.AvailabilityZone,
        'availability-zone-id': rec.Placement?.AvailabilityZoneId,
        region: x.region,
      },
      profile: 'default-hvm',
      ...(publicIp ? { 'public-hostname': publicDns, 'public-ipv4': publicIp } : {}),
      'reservation-id': rec._reservationId,
      'security-groups': groups.map((g) => g.GroupName).join('\n'),
      services: { domain: 'amazonaws.com', partition: 'aws' },
      ...(tags ? { tags } : {}),
    },
    ...(userData !== undefined ? { 'user-data': userData } : {}),
    dynamic: {
      'instance-identity': {
        document: json({
          accountId: x.account,
          architecture: rec.Architecture,
          availabilityZone: rec.Placement?.AvailabilityZone,
          billingProducts: null,
          devpayProductCodes: null,
          marketplaceProductCodes: null,
          imageId: rec.ImageId,
          instanceId: rec.InstanceId,
          instanceType: rec.InstanceType,
          kernelId: null,
          pendingTime: stamp(Date.parse(rec.LaunchTime)),
          privateIp: rec.PrivateIpAddress,
          ramdiskId: null,
          region: x.region,
          version: '2017-09-30',
        }),
      },
    },
  };
}
