// The services, grouped as the seeds group them, each a managed service or a resource (what AWS
// manages, what you manage: the shared responsibility model). `served` names the Nimbus service
// (as /_nimbus/health lists it) whose presence marks it served; `page` the console page, if any.
export type Kind = 'managed' | 'resource';

export interface CatalogService {
  id: string;
  name: string;
  kind: Kind;
  served?: string;
  aws: string;
  you: string;
}

export interface Group {
  name: string;
  blurb: string;
  services: CatalogService[];
}

const m = (id: string, name: string, served: string | undefined, aws: string, you: string): CatalogService => ({
  id,
  name,
  kind: 'managed',
  served,
  aws,
  you,
});
const r = (id: string, name: string, served: string | undefined, aws: string, you: string): CatalogService => ({
  id,
  name,
  kind: 'resource',
  served,
  aws,
  you,
});

export const groups: Group[] = [
  {
    name: 'Compute',
    blurb: 'Processing power: virtual machines, containers, serverless functions.',
    services: [
      r('ec2', 'EC2', 'ec2', 'Physical hosts, hypervisor, network fabric.', 'Operating system, patches, runtime, scaling, your software.'),
      m(
        'lambda',
        'Lambda',
        'lambda',
        'Execution environment, scaling, availability, runtime patches.',
        'Function code, its permissions and configuration.',
      ),
      m(
        'elbv2',
        'Elastic Load Balancing',
        'elbv2',
        'Load balancer nodes in each zone, their scaling and health checking.',
        'Listeners, rules, target groups, security groups, certificates.',
      ),
      m(
        'autoscaling',
        'EC2 Auto Scaling',
        'autoscaling',
        'Launching and replacing instances to match the group.',
        'Launch templates, capacity limits, scaling policies.',
      ),
      m('ecs', 'ECS', undefined, 'Container orchestration and placement.', 'Images, task definitions, the data in containers.'),
    ],
  },
  {
    name: 'Storage',
    blurb: 'Object, block and file storage.',
    services: [
      m(
        's3',
        'S3',
        's3',
        'Durability, availability, scaling, the storage fleet.',
        'Bucket policies, access, encryption choices, object lifecycle.',
      ),
      r('ebs', 'EBS', 'ec2', 'Volume replication within its availability zone.', 'Attaching, snapshots, file systems, sizing.'),
      m('efs', 'EFS', undefined, 'An elastic shared file system across zones.', 'Mount targets, access points, network access.'),
    ],
  },
  {
    name: 'Databases',
    blurb: 'Managed relational and NoSQL databases.',
    services: [
      m(
        'dynamodb',
        'DynamoDB',
        'dynamodb',
        'Partitioning, replication across zones, scaling, patching.',
        'Keys and indexes, capacity mode, access, item data.',
      ),
      m('rds', 'RDS', undefined, 'Provisioning, patching, backups, failover.', 'Schema, queries, parameter choices, access.'),
    ],
  },
  {
    name: 'Decoupling',
    blurb: 'Messages and events between loosely coupled parts.',
    services: [
      m('sqs', 'SQS', 'sqs', 'Storing and delivering messages durably, scaling.', 'Visibility timeouts, dead-letter queues, consumers.'),
      m('sns', 'SNS', 'sns', 'Fan-out delivery and retries.', 'Topics, subscriptions, filter policies, access.'),
      m('events', 'EventBridge', 'events', 'Event buses, matching and delivery.', 'Rules, patterns, targets and their permissions.'),
      m('scheduler', 'EventBridge Scheduler', 'scheduler', 'Running schedules on time.', 'Schedules, targets, time zones, retries.'),
    ],
  },
  {
    name: 'Edge',
    blurb: 'Closer to users: CDN, DNS, APIs.',
    services: [
      m('cloudfront', 'CloudFront', undefined, 'The global edge network and caching.', 'Distributions, origins, cache behaviours.'),
      m('route53', 'Route 53', undefined, 'Authoritative DNS at scale.', 'Zones, records, health checks.'),
      m('apigateway', 'API Gateway', undefined, 'Serving, throttling and scaling APIs.', 'Routes, integrations, authorizers.'),
    ],
  },
  {
    name: 'Automation',
    blurb: 'Infrastructure as code.',
    services: [
      m('cloudformation', 'CloudFormation', undefined, 'Provisioning stacks in order, rolling back.', 'Templates, parameters, drift.'),
    ],
  },
  {
    name: 'Observability',
    blurb: 'Metrics, logs, traces and the audit trail.',
    services: [
      m(
        'cloudwatch',
        'CloudWatch',
        'cloudwatch',
        'Collecting and storing metrics, evaluating alarms.',
        'Which metrics, alarm thresholds and actions.',
      ),
      m('logs', 'CloudWatch Logs', 'logs', 'Ingesting, storing and searching logs.', 'Log groups, retention, what you log.'),
      m('cloudtrail', 'CloudTrail', 'cloudtrail', 'Recording API calls.', 'Trails, retention, reviewing the history.'),
      m('xray', 'X-Ray', 'xray', 'Collecting and indexing traces.', 'Instrumenting code, sampling rules.'),
    ],
  },
  {
    name: 'Core',
    blurb: 'Identity, keys and networks every other service relies on.',
    services: [
      m('iam', 'IAM', 'iam', 'Evaluating every request against policies.', 'Users, roles, least-privilege policies, credentials.'),
      m('sts', 'STS', 'sts', 'Issuing temporary credentials.', 'Who may assume which role.'),
      m('kms', 'KMS', 'kms', 'Hardware-backed keys, their durability and rotation.', 'Key policies, grants, which data is encrypted.'),
      r('vpc', 'VPC', 'ec2', 'The isolated network fabric.', 'Subnets, route tables, security groups, gateways.'),
    ],
  },
];

/** Pages that are no service (the operator's tools), shown under their own heading. */
export const opsPages: { id: string; name: string; blurb: string }[] = [
  { id: 'dashboard', name: 'Service health', blurb: 'Status per region, zone and service; active faults.' },
  { id: 'faults', name: 'Fault injection', blurb: 'Make a service unavailable, slow or failing.' },
  { id: 'clock', name: 'Virtual clock', blurb: 'Current virtual time, advance it, what fired.' },
  { id: 'requests', name: 'Request log', blurb: 'The last calls: service, operation, status, latency.' },
];

export const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-1',
  'ap-northeast-1',
];
