// Launch configurations: what a group without a launch template launches (image, type, key, groups, user data).
import { ServiceError } from '../../kit.js';
import type { AutoscalingProvider } from '../../generated/autoscaling.js';
import { AsgState, alreadyExists, inUse, page, validation } from './store.js';

export function launchConfigHandlers(s: AsgState): Partial<AutoscalingProvider> {
  return {
    CreateLaunchConfiguration: async (input, ctx) => {
      const name = input.LaunchConfigurationName;
      if (!name || name.length > 255)
        throw validation(
          "1 validation error detected: Value at 'launchConfigurationName' failed to satisfy constraint: Member must have length between 1 and 255",
        );
      const store = s.store(ctx);
      if (store.lcs.has(name))
        throw alreadyExists(
          `Launch Configuration by this name already exists - A launch configuration already exists with the name ${name}`,
        );
      if (input.InstanceId) throw validation('Creating a launch configuration from an instance is not supported by Nimbus');
      if (!input.ImageId) throw validation('Valid requests must contain either the ImageId or the InstanceId parameter');
      if (!input.InstanceType) throw validation('Valid requests must contain either the InstanceType or the InstanceId parameter');
      try {
        await s.invoke(ctx, 'ec2', 'DescribeImages', { ImageIds: [input.ImageId] });
      } catch (e) {
        if (e instanceof ServiceError) throw validation(`The image id '[${input.ImageId}]' does not exist`);
        throw e;
      }
      const types = await s
        .invoke<{ InstanceTypes?: unknown[] }>(ctx, 'ec2', 'DescribeInstanceTypes', { InstanceTypes: [input.InstanceType] })
        .catch(() => ({ InstanceTypes: [] }));
      if (!types.InstanceTypes?.length) throw validation(`The instance type '${input.InstanceType}' is not valid`);
      store.lcs.put(name, {
        LaunchConfigurationName: name,
        LaunchConfigurationARN: s.arn(ctx, `launchConfiguration:${crypto.randomUUID()}:launchConfigurationName/${name}`),
        ImageId: input.ImageId,
        InstanceType: input.InstanceType,
        KeyName: input.KeyName,
        SecurityGroups: input.SecurityGroups ?? [],
        UserData: input.UserData,
        KernelId: '',
        RamdiskId: '',
        BlockDeviceMappings: input.BlockDeviceMappings ?? [],
        InstanceMonitoring: input.InstanceMonitoring ?? { Enabled: true },
        IamInstanceProfile: input.IamInstanceProfile,
        CreatedTime: ctx.clock.now(),
        EbsOptimized: input.EbsOptimized ?? false,
        AssociatePublicIpAddress: input.AssociatePublicIpAddress,
        MetadataOptions: input.MetadataOptions,
        ClassicLinkVPCSecurityGroups: [],
      });
      return undefined;
    },
    DescribeLaunchConfigurations: (input, ctx) => {
      const store = s.store(ctx);
      const all = s.all(store.lcs).sort((a, b) => a.LaunchConfigurationName.localeCompare(b.LaunchConfigurationName));
      const chosen = input.LaunchConfigurationNames?.length
        ? all.filter((l) => input.LaunchConfigurationNames!.includes(l.LaunchConfigurationName))
        : all;
      const { items, next } = page(chosen, input.NextToken, input.MaxRecords);
      return { LaunchConfigurations: items.map((l) => ({ ...l, CreatedTime: new Date(l.CreatedTime) })), NextToken: next };
    },
    DeleteLaunchConfiguration: (input, ctx) => {
      const store = s.store(ctx);
      if (!store.lcs.has(input.LaunchConfigurationName))
        throw validation(`Launch configuration name not found - Launch configuration ${input.LaunchConfigurationName} not found`);
      if (s.all(store.groups).some((g) => g.lc === input.LaunchConfigurationName))
        throw inUse(`Cannot delete launch configuration ${input.LaunchConfigurationName} because it is attached to AutoScalingGroup`);
      store.lcs.delete(input.LaunchConfigurationName);
      return undefined;
    },
  };
}
