// The EC2 page's EBS volumes (create in a zone, attach to an instance of that zone, detach, delete)
// and launch templates (list, create from an AMI and an instance type, delete).
import {
  EC2Client,
  DescribeVolumesCommand,
  CreateVolumeCommand,
  AttachVolumeCommand,
  DetachVolumeCommand,
  DeleteVolumeCommand,
  DescribeInstancesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeLaunchTemplatesCommand,
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeImagesCommand,
  type VolumeType,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { AdvanceClock, Copy, Section, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextField, useFields } from '../lib/form.js';
import { ResourceTable, StateBadge } from '../lib/table.js';
import { nameSpec, nameTag } from './ec2-network.js';
import { ImageSelect, InstanceOptions, TypeSelect, instancesOf, sortedImages, type Price } from './ec2-shared.js';

const VOLUME_TYPES = ['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard'];

export function VolumesTab({ ec2 }: { ec2: EC2Client }) {
  const volumes = useLoad(() => ec2.send(new DescribeVolumesCommand({})), [ec2]);
  const zones = useLoad(() => ec2.send(new DescribeAvailabilityZonesCommand({})), [ec2]);
  const instances = useLoad(() => ec2.send(new DescribeInstancesCommand({})), [ec2]);
  const f = useFields({ name: '', zone: '', size: '8', type: 'gp3', volume: '', instance: '', device: '/dev/sdf' });
  const v = f.values;
  const act = useAction();
  const list = volumes.data?.Volumes ?? [];
  const zone = v.zone || zones.data?.AvailabilityZones?.[0]?.ZoneName;
  const available = list.filter((x) => x.State === 'available');
  const toAttach = available.find((x) => x.VolumeId === v.volume) ?? available[0];
  const candidates = instancesOf(instances.data).filter(
    (i) => i.Placement?.AvailabilityZone === toAttach?.AvailabilityZone && i.State?.Name !== 'terminated',
  );
  const reload = () => (volumes.reload(), instances.reload());
  const attach = async () => {
    await ec2.send(
      new AttachVolumeCommand({ VolumeId: toAttach?.VolumeId, InstanceId: v.instance || candidates[0]?.InstanceId, Device: v.device }),
    );
    reload();
  };
  return (
    <Section title="EBS volumes" refresh={reload} actions={<AdvanceClock by="1m" text="Advance clock 1 min" act={act} onDone={reload} />}>
      <ActionForm
        label="Create a volume"
        submit="Create volume"
        act={act}
        run={async () => (
          await ec2.send(
            new CreateVolumeCommand({
              AvailabilityZone: zone,
              Size: Number(v.size),
              VolumeType: v.type as VolumeType,
              TagSpecifications: nameSpec('volume', v.name),
            }),
          ),
          reload()
        )}
      >
        <TextField label="Name" aria="Volume name" {...f.bind('name')} />
        <SelectField label="Availability zone" aria="Volume zone" value={zone ?? ''} onValue={(x) => f.set('zone', x)}>
          {(zones.data?.AvailabilityZones ?? []).map((z) => (
            <option key={z.ZoneName}>{z.ZoneName}</option>
          ))}
        </SelectField>
        <TextField label="Size (GiB)" aria="Volume size" size={5} inputMode="numeric" {...f.bind('size')} />
        <SelectField label="Type" aria="Volume type" {...f.bind('type')}>
          {VOLUME_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </SelectField>
      </ActionForm>
      <ActionForm label="Attach a volume" submit="Attach" act={act} run={attach} disabled={!available.length}>
        <SelectField label="Volume" aria="Volume to attach" value={toAttach?.VolumeId ?? ''} onValue={(x) => f.set('volume', x)}>
          {available.map((x) => (
            <option key={x.VolumeId} value={x.VolumeId}>
              {x.VolumeId} {nameTag(x.Tags)} ({x.Size} GiB, {x.AvailabilityZone})
            </option>
          ))}
        </SelectField>
        <SelectField label="Instance (same zone)" aria="Instance to attach to" {...f.bind('instance')}>
          <InstanceOptions instances={candidates} />
        </SelectField>
        <TextField label="Device" aria="Device name" size={10} {...f.bind('device')} />
      </ActionForm>
      <ActionError act={act} also={[zones.error, instances.error]} />
      <ResourceTable
        label="Volumes"
        load={volumes}
        empty="No volumes in this region."
        rows={list}
        rowKey={(x) => x.VolumeId!}
        rowProps={(x) => ({ 'data-volume': x.VolumeId })}
        columns={{
          Volume: (x) => <Copy value={x.VolumeId!} label="volume id" />,
          Name: (x) => nameTag(x.Tags),
          Size: (x) => `${x.Size} GiB`,
          Type: (x) => `${x.VolumeType}${x.Iops ? `, ${x.Iops} IOPS` : ''}${x.Throughput ? `, ${x.Throughput} MiB/s` : ''}`,
          State: (x) => <StateBadge state={x.State} testId="volume-state" />,
          Zone: (x) => x.AvailabilityZone,
          Attached: (x) => (x.Attachments ?? []).map((a) => `${a.InstanceId} ${a.Device} (${a.State})`).join(', '),
          '': (x) => (
            <>
              {x.Attachments?.some((a) => a.State === 'attached' || a.State === 'attaching') ? (
                <DeleteButton
                  link
                  act={act}
                  text="Detach"
                  label={`Detach ${x.VolumeId}`}
                  run={async () => (await ec2.send(new DetachVolumeCommand({ VolumeId: x.VolumeId })), reload())}
                />
              ) : null}{' '}
              <DeleteButton
                act={act}
                label={`Delete ${x.VolumeId}`}
                confirm={`Delete volume ${x.VolumeId} and its data?`}
                run={async () => (await ec2.send(new DeleteVolumeCommand({ VolumeId: x.VolumeId })), reload())}
              />
            </>
          ),
        }}
      />
    </Section>
  );
}

export function LaunchTemplatesTab({ ec2, prices }: { ec2: EC2Client; prices: Price[] }) {
  const templates = useLoad(() => ec2.send(new DescribeLaunchTemplatesCommand({})), [ec2]);
  const images = useLoad(() => ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] })), [ec2]);
  const f = useFields({ name: '', image: '', type: 't3.micro', description: '' });
  const act = useAction();
  const imageList = sortedImages(images.data?.Images);
  const image = f.values.image || imageList.find((i) => i.Architecture === 'x86_64')?.ImageId || '';
  const create = async () => {
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: f.values.name,
        VersionDescription: f.values.description || undefined,
        LaunchTemplateData: { ImageId: image, InstanceType: f.values.type as _InstanceType },
      }),
    );
    templates.reload();
  };
  return (
    <Section title="Launch templates" refresh={templates.reload}>
      <ActionForm label="Create a launch template" submit="Create launch template" act={act} run={create} disabled={images.loading}>
        <TextField label="Template name" aria="Launch template name" {...f.bind('name')} />
        <ImageSelect images={imageList} value={image} onValue={(x) => f.set('image', x)} />
        <TypeSelect prices={prices} {...f.bind('type')} />
        <TextField label="Version description" {...f.bind('description')} />
      </ActionForm>
      <ActionError act={act} also={[images.error]} />
      <ResourceTable
        label="Launch templates"
        load={templates}
        empty="No launch templates in this region."
        rows={templates.data?.LaunchTemplates ?? []}
        rowKey={(t) => t.LaunchTemplateId!}
        columns={{
          Name: (t) => t.LaunchTemplateName,
          Id: (t) => <Copy value={t.LaunchTemplateId!} label={`id of ${t.LaunchTemplateName}`} />,
          'Default version': (t) => t.DefaultVersionNumber,
          'Latest version': (t) => t.LatestVersionNumber,
          Created: { class: 'small', cell: (t) => fmtDate(t.CreateTime) },
          '': (t) => (
            <DeleteButton
              link
              act={act}
              label={`Delete ${t.LaunchTemplateName}`}
              run={async () => (
                await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: t.LaunchTemplateId })),
                templates.reload()
              )}
            />
          ),
        }}
      />
    </Section>
  );
}
