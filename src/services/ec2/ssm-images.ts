// EC2 and Parameter Store: the public SSM parameters EC2's AMI catalogue publishes
// (`/aws/service/ami-amazon-linux-latest/…` → an image id per region, offered to SSM as
// rt.integrations.ec2.publicImageParameters), and `resolve:ssm:<name>` image ids in RunInstances and
// launch templates, read through rt.integrations.ssm.
import type { Runtime } from '../../kit.js';
import { publicImages } from './images.js';
import { ec2Error } from './errors.js';

export function publicImageParameters(region: string): { name: string; imageId: string }[] {
  return publicImages(region)
    .filter((i) => i._ssm)
    .map((i) => ({ name: i._ssm as string, imageId: i.ImageId as string }));
}

/** An ImageId as given, or the AMI id a `resolve:ssm:` reference names (its String value). */
export function resolveImageId(rt: Runtime, ctx: { account: string; region: string }, id: string): string {
  if (!id.startsWith('resolve:ssm:')) return id;
  const name = id.slice('resolve:ssm:'.length);
  const p = rt.integrations.ssm?.parameter(ctx.account, ctx.region, name);
  if (!p)
    throw ec2Error(
      'InvalidParameterValue',
      `Invalid value '${id}' for parameter ImageId. The Systems Manager parameter ${name} does not exist.`,
    );
  if (p.type !== 'String' || !/^ami-[0-9a-f]{8,17}$/.test(p.value)) {
    throw ec2Error(
      'InvalidParameterValue',
      `Invalid value '${id}' for parameter ImageId. The Systems Manager parameter ${name} does not hold an AMI ID.`,
    );
  }
  return p.value;
}
