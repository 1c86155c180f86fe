// Lambda test support: zips built in memory, a client for the file's server, a role ARN.
import { zipSync, strToU8 } from 'fflate';
import { LambdaClient, CreateFunctionCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { clientConfig } from './helpers.js';

export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

export const zip = (files: Record<string, string>) =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));

export const lambdaClient = (url: string) => new LambdaClient(clientConfig(url));

export async function createFunction(
  client: LambdaClient,
  name: string,
  runtime: string,
  handler: string,
  files: Record<string, string>,
  extra: Record<string, unknown> = {},
) {
  const out = await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime as 'nodejs20.x',
      Role: ROLE,
      Handler: handler,
      Code: { ZipFile: zip(files) },
      ...extra,
    }),
  );
  await waitUntilFunctionActiveV2({ client, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  return out;
}

export const decode = (b?: Uint8Array) => (b ? Buffer.from(b).toString() : '');
