// EC2's error codes and messages, as the service spells them.
import { ServiceError } from '../../kit.js';

export const ec2Error = (code: string, message: string) => new ServiceError(code, message, 400);

export const invalidParam = (message: string) => ec2Error('InvalidParameterValue', message);
export const invalidCombination = (message: string) => ec2Error('InvalidParameterCombination', message);
export const missing = (name: string) => ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
export const dependency = (message: string) => ec2Error('DependencyViolation', message);
export const dryRunError = () => new ServiceError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);

/** `InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist` and its kin, by resource kind. */
const NOT_FOUND: Record<string, [string, string]> = {
  vpc: ['InvalidVpcID.NotFound', 'vpc ID'],
  subnet: ['InvalidSubnetID.NotFound', 'subnet ID'],
  igw: ['InvalidInternetGatewayID.NotFound', 'internetGateway ID'],
  rtb: ['InvalidRouteTableID.NotFound', 'routeTable ID'],
  sg: ['InvalidGroup.NotFound', 'security group'],
  instance: ['InvalidInstanceID.NotFound', 'instance ID'],
  volume: ['InvalidVolume.NotFound', 'volume'],
  snapshot: ['InvalidSnapshot.NotFound', 'snapshot'],
  image: ['InvalidAMIID.NotFound', 'image id'],
  keypair: ['InvalidKeyPair.NotFound', 'key pair'],
  eni: ['InvalidNetworkInterfaceID.NotFound', 'networkInterface ID'],
  eip: ['InvalidAllocationID.NotFound', 'allocation ID'],
  nat: ['NatGatewayNotFound', 'NAT gateway'],
  acl: ['InvalidNetworkAclID.NotFound', 'network ACL'],
  lt: ['InvalidLaunchTemplateId.NotFound', 'launch template ID'],
  vpce: ['InvalidVpcEndpointId.NotFound', 'VPC endpoint'],
  pcx: ['InvalidVpcPeeringConnectionID.NotFound', 'vpcPeeringConnection ID'],
  rtbassoc: ['InvalidAssociationID.NotFound', 'association ID'],
  sgr: ['InvalidSecurityGroupRuleId.NotFound', 'security group rule ID'],
  sir: ['InvalidSpotInstanceRequestID.NotFound', 'spot instance request ID'],
  ri: ['InvalidReservedInstancesId', 'reserved instances ID'],
  flowlog: ['InvalidFlowLogId.NotFound', 'flow log ID'],
};

export function notFound(kind: string, id: string | string[]): ServiceError {
  const [code, noun] = NOT_FOUND[kind] ?? ['InvalidID', 'ID'];
  const ids = Array.isArray(id) ? id.join(', ') : id;
  const plural = Array.isArray(id) && id.length > 1;
  if (kind === 'instance' || kind === 'image')
    return ec2Error(code, `The ${noun}${plural ? 's' : ''} '${ids}' ${plural ? 'do' : 'does'} not exist`);
  if (kind === 'sg') return ec2Error(code, `The security group '${ids}' does not exist`);
  if (kind === 'keypair') return ec2Error(code, `The key pair '${ids}' does not exist`);
  if (kind === 'volume') return ec2Error(code, `The volume '${ids}' does not exist.`);
  if (kind === 'snapshot') return ec2Error(code, `The snapshot '${ids}' does not exist.`);
  if (kind === 'nat') return ec2Error(code, `The Nat Gateway ${ids} was not found`);
  return ec2Error(code, `The ${noun} '${ids}' does not exist`);
}

/** `InvalidVpcID.Malformed: Invalid id: "xyz"` for an id of the wrong shape. */
const MALFORMED: Record<string, string> = {
  vpc: 'InvalidVpcID.Malformed',
  subnet: 'InvalidSubnetID.Malformed',
  instance: 'InvalidInstanceID.Malformed',
  igw: 'InvalidInternetGatewayID.Malformed',
  rtb: 'InvalidRouteTableID.Malformed',
  sg: 'InvalidGroupId.Malformed',
  volume: 'InvalidVolumeID.Malformed',
  snapshot: 'InvalidSnapshotID.Malformed',
  image: 'InvalidAMIID.Malformed',
  eni: 'InvalidNetworkInterfaceID.Malformed',
  eip: 'InvalidAllocationID.Malformed',
  sir: 'InvalidSpotInstanceRequestID.Malformed',
  flowlog: 'InvalidFlowLogId.Malformed',
};

export function malformed(kind: string, id: string): ServiceError {
  return ec2Error(MALFORMED[kind] ?? 'InvalidParameterValue', `Invalid id: "${id}"`);
}

/** What a handler returns when the operation answers nothing but its request id. */
export const DONE = undefined as never;
