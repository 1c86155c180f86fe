// Bench workloads: one entry per AWS operation measured. Adding a service is one more entry.
import http from 'node:http';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';

export type ServerName = 'null' | 'nimbus' | 'moto';

/** How the null server recognises a workload's request, and the fixed answer it gives. Plain data:
 *  it is handed to the null server as JSON so that process loads no SDK. */
export interface NullRoute {
  match: { target?: string; action?: string; method?: string; pathPrefix?: string };
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Workload {
  name: string;
  /** Servers that implement the operation; default: all. */
  supports?: ServerName[];
  setup(endpoint: string): Promise<void>;
  op(endpoint: string, i: number): Promise<unknown>;
  nullResponse: NullRoute;
}

// One keep-alive agent for the whole run, sockets capped at the concurrency, and one client per
// (service, endpoint): every server is driven by exactly the same client stack.
export const CONCURRENCY = 16;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const clients = new Map<string, unknown>();
function client<C>(Ctor: new (config: object) => C, endpoint: string, extra: object = {}): C {
  const key = `${Ctor.name} ${endpoint}`;
  if (!clients.has(key)) {
    clients.set(key, new Ctor({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1, // a retry would hide an error and count it as a (slow) op
      requestHandler: { httpAgent: agent },
      ...extra,
    }));
  }
  return clients.get(key) as C;
}

const xml = { 'content-type': 'text/xml' };

export const WORKLOADS: Workload[] = [
  {
    name: 'sts GetCallerIdentity',
    async setup() {},
    op: (endpoint) => client(STSClient, endpoint).send(new GetCallerIdentityCommand({})),
    nullResponse: {
      match: { action: 'GetCallerIdentity' },
      status: 200,
      headers: xml,
      body:
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        '<Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account>' +
        '</GetCallerIdentityResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>' +
        '</ResponseMetadata></GetCallerIdentityResponse>',
    },
  },
  {
    name: 'sns Publish',
    // the null server has no CreateTopic route: its 400 is expected and ignored there
    async setup(endpoint) {
      await client(SNSClient, endpoint).send(new CreateTopicCommand({ Name: 'bench' })).catch(() => undefined);
    },
    op: (endpoint, i) => client(SNSClient, endpoint).send(new PublishCommand({
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:bench',
      Message: `message ${i}`,
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'bench' } },
    })),
    nullResponse: {
      match: { action: 'Publish' },
      status: 200,
      headers: xml,
      body:
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
        '<MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata>' +
        '<RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>',
    },
  },
];
