// The region's default VPC and its subnets (one per availability zone): where the ELB and Auto
// Scaling pages create load balancers and groups unless told otherwise.
import { EC2Client, DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { useLoad } from '../lib/ui.js';

export function useDefaultVpc(ec2: EC2Client) {
  return useLoad(async () => {
    const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs?.[0];
    if (!vpc) return { vpcId: undefined, subnets: [] };
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }))).Subnets ?? [];
    return {
      vpcId: vpc.VpcId,
      subnets: subnets.slice().sort((a, b) => (a.AvailabilityZone ?? '').localeCompare(b.AvailabilityZone ?? '')),
    };
  }, [ec2]);
}
