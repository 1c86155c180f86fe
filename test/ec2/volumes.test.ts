// EBS through SDK v3: volume types and their size/IOPS/throughput rules, attach/detach with device
// names, snapshots and volumes made from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let ec2: E.EC2Client;
const nimbus = serverForFile(async () => {
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
});

async function rejects(p: Promise<unknown>, name: string, message?: string | RegExp) {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, 400);
    return true;
  });
}

const az = 'us-east-1a';

test('volume types: defaults and AWS limits with their messages', async () => {
  const gp3 = await ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 20, VolumeType: 'gp3' }));
  assert.deepEqual([gp3.Iops, gp3.Throughput, gp3.State], [3000, 125, 'creating']);
  const gp2 = await ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 100 }));
  assert.deepEqual([gp2.VolumeType, gp2.Iops], ['gp2', 300]);
  const io2 = await ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 10, VolumeType: 'io2', Iops: 5000 }));
  assert.equal(io2.Iops, 5000);
  await rejects(ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 10, VolumeType: 'io1' })), 'MissingParameter', /iops/);
  await rejects(
    ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 10, VolumeType: 'io1', Iops: 1000 })),
    'InvalidParameterValue',
    'Iops to volume size ratio of 100.0 is too high; maximum is 50.0.',
  );
  await rejects(
    ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 100, VolumeType: 'st1' })),
    'InvalidParameterValue',
    'Volume of 100GiB is too small for st1; minimum is 125GiB.',
  );
  await rejects(
    ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 20000, VolumeType: 'gp3' })),
    'InvalidParameterValue',
    'Volume of 20000GiB is too large for gp3; maximum is 16384GiB.',
  );
  await rejects(
    ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 10, VolumeType: 'gp3', Throughput: 2000 })),
    'InvalidParameterValue',
    /Throughput \(MiBps\) of 2000 is too high/,
  );
  await rejects(
    ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 10, VolumeType: 'gp2', Iops: 500 })),
    'InvalidParameterCombination',
  );
  await rejects(ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: 'us-east-1z', Size: 10 })), 'InvalidParameterValue', /us-east-1z/);
  const mod = await ec2.send(new E.ModifyVolumeCommand({ VolumeId: gp2.VolumeId, VolumeType: 'gp3', Size: 200 }));
  assert.deepEqual(
    [mod.VolumeModification!.TargetVolumeType, mod.VolumeModification!.TargetSize, mod.VolumeModification!.TargetIops],
    ['gp3', 200, 3000],
  );
  const typed = await ec2.send(
    new E.DescribeVolumesCommand({
      Filters: [
        { Name: 'volume-type', Values: ['gp3'] },
        { Name: 'status', Values: ['available'] },
      ],
    }),
  );
  assert.deepEqual(typed.Volumes!.map((v) => v.VolumeId).sort(), [gp3.VolumeId, gp2.VolumeId].sort());
  for (const v of [gp3, gp2, io2]) await ec2.send(new E.DeleteVolumeCommand({ VolumeId: v.VolumeId }));
  await rejects(
    ec2.send(new E.DescribeVolumesCommand({ VolumeIds: [gp3.VolumeId!] })),
    'InvalidVolume.NotFound',
    `The volume '${gp3.VolumeId}' does not exist.`,
  );
});

test('attach and detach with device names; snapshots; a bigger volume from a snapshot', async () => {
  const image = (
    await ec2.send(new E.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-x86_64'] }] }))
  ).Images![0].ImageId;
  const run = await ec2.send(new E.RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: az } }));
  const id = run.Instances![0].InstanceId!;
  const root = run.Instances![0].BlockDeviceMappings![0];
  assert.equal(root.DeviceName, '/dev/xvda');
  const rootVol = (await ec2.send(new E.DescribeVolumesCommand({ VolumeIds: [root.Ebs!.VolumeId!] }))).Volumes![0];
  assert.deepEqual([rootVol.Size, rootVol.VolumeType, rootVol.State, rootVol.Attachments![0].InstanceId], [8, 'gp3', 'in-use', id]);
  await advanceClock(nimbus.url, '1m');

  const data = await ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, Size: 50, VolumeType: 'gp3' }));
  const other = await ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: 'us-east-1b', Size: 5 }));
  await rejects(
    ec2.send(new E.AttachVolumeCommand({ VolumeId: other.VolumeId, InstanceId: id, Device: '/dev/sdf' })),
    'InvalidVolume.ZoneMismatch',
  );
  await rejects(
    ec2.send(new E.AttachVolumeCommand({ VolumeId: data.VolumeId, InstanceId: id, Device: 'sdf!' })),
    'InvalidParameterValue',
    /not a valid EBS device name/,
  );
  await rejects(
    ec2.send(new E.AttachVolumeCommand({ VolumeId: data.VolumeId, InstanceId: id, Device: '/dev/xvda' })),
    'InvalidParameterValue',
    'Attachment point /dev/xvda is already in use',
  );
  const att = await ec2.send(new E.AttachVolumeCommand({ VolumeId: data.VolumeId, InstanceId: id, Device: '/dev/sdf' }));
  assert.equal(att.State, 'attaching');
  const onInstance = await ec2.send(new E.DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }));
  assert.equal(onInstance.Volumes!.length, 2);
  await rejects(
    ec2.send(new E.DeleteVolumeCommand({ VolumeId: data.VolumeId })),
    'VolumeInUse',
    `Volume ${data.VolumeId} is currently attached to ${id}`,
  );
  await rejects(ec2.send(new E.AttachVolumeCommand({ VolumeId: data.VolumeId, InstanceId: id, Device: '/dev/sdg' })), 'VolumeInUse');

  const snap = await ec2.send(
    new E.CreateSnapshotCommand({
      VolumeId: data.VolumeId,
      Description: 'nightly',
      TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'k', Value: 'v' }] }],
    }),
  );
  assert.equal(snap.State, 'pending');
  const snaps = await ec2.send(
    new E.DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'volume-id', Values: [data.VolumeId!] }] }),
  );
  assert.deepEqual(
    [snaps.Snapshots![0].State, snaps.Snapshots![0].VolumeSize, snaps.Snapshots![0].Description],
    ['completed', 50, 'nightly'],
  );
  await rejects(
    ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, SnapshotId: snap.SnapshotId, Size: 10 })),
    'InvalidParameterValue',
    'Volume of 10GiB is too small; minimum is 50GiB.',
  );
  const restored = await ec2.send(new E.CreateVolumeCommand({ AvailabilityZone: az, SnapshotId: snap.SnapshotId }));
  assert.deepEqual([restored.Size, restored.SnapshotId], [50, snap.SnapshotId]);
  const bigger = await ec2.send(
    new E.CreateVolumeCommand({ AvailabilityZone: az, SnapshotId: snap.SnapshotId, Size: 80, VolumeType: 'io2', Iops: 4000 }),
  );
  assert.equal(bigger.Size, 80);

  await rejects(ec2.send(new E.DetachVolumeCommand({ VolumeId: rootVol.VolumeId })), 'IncorrectState', /root volume/);
  const det = await ec2.send(new E.DetachVolumeCommand({ VolumeId: data.VolumeId }));
  assert.equal(det.State, 'detaching');
  await rejects(
    ec2.send(new E.DetachVolumeCommand({ VolumeId: data.VolumeId })),
    'IncorrectState',
    `Volume '${data.VolumeId}' is in the 'available' state.`,
  );
  const desc = await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [id] }));
  assert.deepEqual(
    desc.Reservations![0].Instances![0].BlockDeviceMappings!.map((b) => b.DeviceName),
    ['/dev/xvda'],
  );

  // terminating deletes the root volume (DeleteOnTermination) and leaves the data volume
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [id] }));
  await rejects(ec2.send(new E.DescribeVolumesCommand({ VolumeIds: [rootVol.VolumeId!] })), 'InvalidVolume.NotFound');
  await ec2.send(new E.DeleteSnapshotCommand({ SnapshotId: snap.SnapshotId }));
  await rejects(ec2.send(new E.DescribeSnapshotsCommand({ SnapshotIds: [snap.SnapshotId!] })), 'InvalidSnapshot.NotFound');
});
