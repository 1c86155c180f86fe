// The Elastic Load Balancing and Auto Scaling console pages in Chromium: a target group with an
// instance registered and its health moving on the virtual clock, an ALB in the default VPC's subnets
// with a listener and a path rule, then deleted; an Auto Scaling group from a launch template whose
// instances go InService, its desired capacity raised, its activity history. Each step is checked
// against what the APIs report through SDK v3 clients.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  EC2Client,
  RunInstancesCommand,
  DescribeImagesCommand,
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  ElasticLoadBalancingV2Client,
  DescribeLoadBalancersCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { clientConfig } from '../helpers.js';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;
let ec2: EC2Client;
let elb: ElasticLoadBalancingV2Client;
let imageId: string;
before(async () => {
  rig = await startRig();
  ec2 = new EC2Client(clientConfig(rig.url));
  elb = new ElasticLoadBalancingV2Client(clientConfig(rig.url));
  const images = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images ?? [];
  imageId = images.find((i) => i.Architecture === 'x86_64')!.ImageId!;
});
after(() => rig?.stop());

const advance = (by: string) =>
  fetch(`${rig.url}/_nimbus/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: by }),
  });

test('ELB: a target group with an instance registered, an ALB with a listener and a path rule, the target healthy, deregistered, the ALB deleted', async () => {
  const { page } = rig;
  const run = await ec2.send(new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }));
  const instanceId = run.Instances![0].InstanceId!;
  await advance('1m');

  await page.goto(`${rig.url}/_nimbus/console/#/elbv2`);
  await page.getByText('No load balancers in this region').waitFor();
  await page.getByRole('tab', { name: 'Target groups' }).click();
  await page.getByLabel('Target group name').fill('web-tg');
  await page.getByLabel('Health check path').fill('/health');
  await page.getByRole('button', { name: 'Create target group' }).click();
  await page.getByRole('table', { name: 'Target groups' }).getByRole('link', { name: 'web-tg' }).waitFor();
  const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['web-tg'] }))).TargetGroups![0];
  assert.equal(tg.HealthCheckPath, '/health');
  assert.equal(tg.Port, 80);
  await page.getByLabel('Target instance').locator(`option[value="${instanceId}"]`).waitFor({ state: 'attached' });
  await page.getByLabel('Target instance').selectOption(instanceId);
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  const targets = page.getByRole('table', { name: 'Registered targets' });
  // no load balancer forwards to the group yet: AWS reports its targets unused
  await targets.locator(`tr[data-target="${instanceId}"]`).getByTestId('target-health').getByText('unused').waitFor();
  const registered = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(
    registered.TargetHealthDescriptions?.map((t) => [t.Target?.Id, t.Target?.Port]),
    [[instanceId, 80]],
  );

  await page.getByRole('tab', { name: 'Load balancers' }).click();
  await page
    .getByTestId('lb-subnets')
    .getByText(/subnet-\w+ \(us-east-1b\)/)
    .waitFor();
  await page.getByLabel('Load balancer name').fill('web-alb');
  await page.getByRole('button', { name: 'Create load balancer' }).click();
  const lbRow = page.getByRole('table', { name: 'Load balancers' }).getByRole('row').filter({ hasText: 'web-alb' });
  await lbRow.getByTestId('lb-state').getByText('active').waitFor();
  const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['web-alb'] }))).LoadBalancers![0];
  assert.equal(lb.Type, 'application');
  assert.ok((lb.AvailabilityZones ?? []).length >= 2, 'an ALB spans the default subnets of several zones');
  await lbRow.getByText(lb.DNSName!).waitFor();

  await page.getByLabel('Listener port').fill('80');
  await page.getByLabel('Listener target group').selectOption({ label: 'web-tg' });
  await page.getByRole('button', { name: 'Add listener' }).click();
  await page.getByRole('table', { name: 'Listeners' }).getByText('forward to web-tg').waitFor();
  const listener = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0];
  assert.equal(listener.Port, 80);
  assert.equal(listener.DefaultActions![0].TargetGroupArn, tg.TargetGroupArn);

  const rulesTable = page.getByRole('table', { name: 'Rules of HTTP:80' });
  await rulesTable.getByText('no other rule matches').waitFor();
  await page.getByLabel('Rule priority').fill('5');
  await page.getByLabel('Path pattern').fill('/api/*');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await rulesTable.getByText('path-pattern is /api/*').waitFor();
  const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!;
  const rule = rules.find((r) => r.Priority === '5')!;
  assert.deepEqual(rule.Conditions![0].PathPatternConfig?.Values ?? rule.Conditions![0].Values, ['/api/*']);
  await shot(page, 'elbv2-load-balancer');

  // the group is in use now; after the health checks have passed (interval × threshold) the target is healthy
  await advance('5m');
  await page.getByRole('tab', { name: 'Target groups' }).click();
  await page.getByRole('link', { name: 'web-tg' }).click();
  await targets.locator(`tr[data-target="${instanceId}"]`).getByTestId('target-health').getByText('healthy').waitFor();
  const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.equal(health.TargetHealthDescriptions![0].TargetHealth?.State, 'healthy');
  await shot(page, 'elbv2-targets');
  await page.getByRole('button', { name: `Deregister ${instanceId}` }).click();
  await page.getByText('No targets registered.').waitFor();
  const after = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.equal(after.TargetHealthDescriptions?.length ?? 0, 0);

  await page.getByRole('tab', { name: 'Load balancers' }).click();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete web-alb' }).click();
  await page.getByText('No load balancers in this region').waitFor();
  assert.equal((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.length ?? 0, 0);
});

test('Auto Scaling: a group from a launch template goes InService, its desired capacity is raised, its activities listed', async () => {
  const { page } = rig;
  const asg = new AutoScalingClient(clientConfig(rig.url));
  const lt = await ec2.send(
    new CreateLaunchTemplateCommand({ LaunchTemplateName: 'asg-lt', LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.micro' } }),
  );
  await page.goto(`${rig.url}/_nimbus/console/#/autoscaling`);
  await page.getByText('No Auto Scaling groups in this region').waitFor();
  await page.getByLabel('Launch template').locator(`option[value="${lt.LaunchTemplate!.LaunchTemplateId}"]`).waitFor({ state: 'attached' });
  await page.getByLabel('Group name').fill('web-asg');
  await page.getByLabel('Minimum size').fill('1');
  await page.getByLabel('Maximum size').fill('4');
  await page.getByLabel('Initial desired capacity').fill('2');
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('heading', { name: 'Group web-asg' }).waitFor();

  const groupOf = async () =>
    (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups![0];
  const created = await groupOf();
  assert.deepEqual([created.MinSize, created.MaxSize, created.DesiredCapacity], [1, 4, 2]);
  assert.equal(created.LaunchTemplate?.LaunchTemplateId, lt.LaunchTemplate!.LaunchTemplateId);
  assert.ok((created.VPCZoneIdentifier ?? '').split(',').length >= 2, 'the group spans the default subnets');
  const instances = page.getByRole('table', { name: 'Group instances' });
  await instances.getByRole('row').nth(2).waitFor();

  await page.getByRole('button', { name: 'Advance clock 1 min' }).click();
  await instances.getByTestId('lifecycle-state').getByText('InService').nth(1).waitFor();
  const inService = await groupOf();
  assert.deepEqual(
    inService.Instances!.map((i) => i.LifecycleState),
    ['InService', 'InService'],
  );
  const ids = inService.Instances!.map((i) => i.InstanceId!);
  const ec2View = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  assert.deepEqual(
    ec2View.Reservations!.flatMap((r) => r.Instances!).map((i) => i.State?.Name),
    ['running', 'running'],
  );

  await page.getByLabel('Desired capacity', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Set desired capacity' }).click();
  await page.getByRole('table', { name: 'Auto Scaling groups' }).getByTestId('desired').getByText('3').waitFor();
  await instances.getByRole('row').nth(3).waitFor();
  const raised = await groupOf();
  assert.equal(raised.DesiredCapacity, 3);
  assert.equal(raised.Instances!.length, 3);

  const activities = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web-asg' }))).Activities!;
  assert.equal(activities.filter((a) => /^Launching a new EC2 instance/.test(a.Description ?? '')).length, 3);
  const history = page.getByRole('table', { name: 'Activity history' });
  await history.getByRole('row').nth(3).waitFor();
  assert.equal(
    await history
      .getByRole('row')
      .filter({ hasText: /Launching a new EC2 instance/ })
      .count(),
    3,
  );
  await shot(page, 'autoscaling');
});
