// A catalogue of AWS managed policies (arn:aws:iam::aws:policy/…) with their documents. Most are
// AWS's documents as published; ReadOnlyAccess and AmazonDynamoDBFullAccess keep the part of AWS's
// much longer action lists that concerns the services Nimbus serves.
import { createHash } from 'node:crypto';

interface Managed {
  path?: string;
  description: string;
  statements: unknown[];
}

const allow = (Action: string | string[], Resource: string | string[] = '*') => ({ Effect: 'Allow', Action, Resource });
const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

const CATALOGUE: Record<string, Managed> = {
  AdministratorAccess: { description: 'Provides full access to AWS services and resources.', statements: [allow('*')] },
  PowerUserAccess: {
    description: 'Provides full access to AWS services and resources, but does not allow management of Users and groups.',
    statements: [
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      allow([
        'account:GetAccountInformation',
        'account:GetPrimaryEmail',
        'account:ListRegions',
        'iam:CreateServiceLinkedRole',
        'iam:DeleteServiceLinkedRole',
        'iam:ListRoles',
        'organizations:DescribeOrganization',
      ]),
    ],
  },
  ReadOnlyAccess: {
    description: 'Provides read-only access to AWS services and resources.',
    statements: [
      allow([
        'cloudformation:Describe*',
        'cloudformation:Detect*',
        'cloudformation:Get*',
        'cloudformation:List*',
        'cloudtrail:Describe*',
        'cloudtrail:Get*',
        'cloudtrail:List*',
        'cloudtrail:LookupEvents',
        'cloudwatch:Describe*',
        'cloudwatch:Get*',
        'cloudwatch:List*',
        'dynamodb:BatchGet*',
        'dynamodb:Describe*',
        'dynamodb:Get*',
        'dynamodb:List*',
        'dynamodb:PartiQLSelect',
        'dynamodb:Query',
        'dynamodb:Scan',
        'ec2:Describe*',
        'ec2:Get*',
        'events:Describe*',
        'events:List*',
        'events:Test*',
        'iam:Generate*',
        'iam:Get*',
        'iam:List*',
        'iam:Simulate*',
        'kms:Describe*',
        'kms:Get*',
        'kms:List*',
        'lambda:Get*',
        'lambda:List*',
        'logs:Describe*',
        'logs:FilterLogEvents',
        'logs:Get*',
        'logs:ListTagsLogGroup',
        'logs:StartQuery',
        'logs:StopQuery',
        'logs:TestMetricFilter',
        's3:Describe*',
        's3:Get*',
        's3:List*',
        'secretsmanager:Describe*',
        'secretsmanager:GetResourcePolicy',
        'secretsmanager:List*',
        'sns:Check*',
        'sns:Get*',
        'sns:List*',
        'sqs:Get*',
        'sqs:List*',
        'sqs:Receive*',
        'ssm:Describe*',
        'ssm:Get*',
        'ssm:List*',
        'states:Describe*',
        'states:Get*',
        'states:List*',
        'sts:GetCallerIdentity',
      ]),
    ],
  },
  AmazonS3FullAccess: {
    description: 'Provides full access to all buckets via the AWS Management Console.',
    statements: [allow(['s3:*', 's3-object-lambda:*'])],
  },
  AmazonS3ReadOnlyAccess: {
    description: 'Provides read only access to all buckets via the AWS Management Console.',
    statements: [allow(['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'])],
  },
  AmazonSQSFullAccess: {
    description: 'Provides full access to Amazon SQS via the AWS Management Console.',
    statements: [allow(['sqs:*'])],
  },
  AmazonSQSReadOnlyAccess: {
    description: 'Provides read only access to Amazon SQS via the AWS Management Console.',
    statements: [
      allow([
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ListDeadLetterSourceQueues',
        'sqs:ListQueues',
        'sqs:ListMessageMoveTasks',
        'sqs:ListQueueTags',
      ]),
    ],
  },
  AmazonSNSFullAccess: {
    description: 'Provides full access to Amazon SNS via the AWS Management Console.',
    statements: [allow(['sns:*'])],
  },
  AmazonSNSReadOnlyAccess: {
    description: 'Provides read only access to Amazon SNS via the AWS Management Console.',
    statements: [
      allow([
        'sns:GetTopicAttributes',
        'sns:List*',
        'sns:CheckIfPhoneNumberIsOptedOut',
        'sns:GetEndpointAttributes',
        'sns:GetDataProtectionPolicy',
        'sns:GetPlatformApplicationAttributes',
        'sns:GetSMSAttributes',
        'sns:GetSMSSandboxAccountStatus',
        'sns:GetSubscriptionAttributes',
      ]),
    ],
  },
  AmazonDynamoDBFullAccess: {
    description: 'Provides full access to Amazon DynamoDB via the AWS Management Console.',
    statements: [
      allow([
        'dynamodb:*',
        'dax:*',
        'application-autoscaling:DeleteScalingPolicy',
        'application-autoscaling:DescribeScalableTargets',
        'application-autoscaling:PutScalingPolicy',
        'application-autoscaling:RegisterScalableTarget',
        'cloudwatch:DeleteAlarms',
        'cloudwatch:DescribeAlarms',
        'cloudwatch:GetMetricData',
        'cloudwatch:PutMetricAlarm',
        'kms:DescribeKey',
        'kms:ListAliases',
        'sns:CreateTopic',
        'sns:ListSubscriptions',
        'sns:ListTopics',
        'sns:Subscribe',
        'sns:Unsubscribe',
        'lambda:CreateEventSourceMapping',
        'lambda:DeleteEventSourceMapping',
        'lambda:GetFunctionConfiguration',
        'lambda:ListEventSourceMappings',
        'lambda:ListFunctions',
        'iam:GetRole',
        'iam:ListRoles',
      ]),
    ],
  },
  AmazonDynamoDBReadOnlyAccess: {
    description: 'Provides read only access to Amazon DynamoDB via the AWS Management Console.',
    statements: [
      allow([
        'dynamodb:BatchGetItem',
        'dynamodb:Describe*',
        'dynamodb:List*',
        'dynamodb:GetAbacStatus',
        'dynamodb:GetItem',
        'dynamodb:GetResourcePolicy',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:PartiQLSelect',
        'cloudwatch:GetMetricStatistics',
        'cloudwatch:ListMetrics',
      ]),
    ],
  },
  IAMFullAccess: {
    description: 'Provides full access to IAM via the AWS Management Console.',
    statements: [
      allow([
        'iam:*',
        'organizations:DescribeAccount',
        'organizations:DescribeOrganization',
        'organizations:DescribeOrganizationalUnit',
        'organizations:DescribePolicy',
        'organizations:ListChildren',
        'organizations:ListParents',
        'organizations:ListPoliciesForTarget',
        'organizations:ListRoots',
        'organizations:ListPolicies',
        'organizations:ListTargetsForPolicy',
      ]),
    ],
  },
  IAMReadOnlyAccess: {
    description: 'Provides read only access to IAM via the AWS Management Console.',
    statements: [
      allow([
        'iam:GenerateCredentialReport',
        'iam:GenerateServiceLastAccessedDetails',
        'iam:Get*',
        'iam:List*',
        'iam:SimulateCustomPolicy',
        'iam:SimulatePrincipalPolicy',
      ]),
    ],
  },
  AWSLambdaBasicExecutionRole: {
    path: '/service-role/',
    description: 'Provides write permissions to CloudWatch Logs.',
    statements: [allow(LOGS)],
  },
  AWSLambdaSQSQueueExecutionRole: {
    path: '/service-role/',
    description:
      'Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.',
    statements: [allow(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', ...LOGS])],
  },
  AWSLambdaDynamoDBExecutionRole: {
    path: '/service-role/',
    description: 'Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.',
    statements: [allow(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', ...LOGS])],
  },
  AWSLambda_FullAccess: {
    description: 'Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.',
    statements: [
      allow([
        'cloudformation:DescribeStacks',
        'cloudwatch:ListMetrics',
        'cloudwatch:GetMetricData',
        'iam:ListRoles',
        'kms:ListAliases',
        'lambda:*',
        'logs:DescribeLogGroups',
        's3:ListAllMyBuckets',
        'sns:ListTopics',
        'sqs:ListQueues',
        'states:ListStateMachines',
      ]),
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      },
    ],
  },
  CloudWatchLogsFullAccess: {
    description: 'Provides full access to CloudWatch Logs',
    statements: [allow(['logs:*', 'cloudwatch:GenerateQuery'])],
  },
  AWSKeyManagementServicePowerUser: {
    description: 'Provides access to AWS Key Management Service (KMS).',
    statements: [
      allow([
        'kms:CreateAlias',
        'kms:CreateKey',
        'kms:DeleteAlias',
        'kms:Describe*',
        'kms:GenerateRandom',
        'kms:Get*',
        'kms:List*',
        'kms:TagResource',
        'kms:UntagResource',
        'iam:ListGroups',
        'iam:ListRoles',
        'iam:ListUsers',
      ]),
    ],
  },
};

export interface AwsManagedPolicy {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  Description: string;
  Document: string;
  CreateDate: Date;
}

const CREATED = new Date('2015-02-06T18:39:46Z');
const ENTRIES = new Map<string, AwsManagedPolicy>(
  Object.entries(CATALOGUE).map(([name, m]) => {
    const path = m.path ?? '/';
    const arn = `arn:aws:iam::aws:policy${path}${name}`;
    const PolicyId =
      'ANPA' +
      createHash('sha256')
        .update(arn)
        .digest('base64')
        .replace(/[^A-Z2-7]/g, '')
        .padEnd(17, 'Q')
        .slice(0, 17);
    const Document = JSON.stringify({ Version: '2012-10-17', Statement: m.statements }, null, 4);
    return [arn, { PolicyName: name, PolicyId, Arn: arn, Path: path, Description: m.description, Document, CreateDate: CREATED }];
  }),
);

export const awsManaged = (arn: string) => ENTRIES.get(arn);
export const allAwsManaged = () => [...ENTRIES.values()];
