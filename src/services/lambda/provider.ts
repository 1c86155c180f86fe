// AWS Lambda: functions run as local processes (node, python3, a zip's bootstrap) behind Nimbus's
// own Lambda Runtime API. This file wires the handlers; see functions.ts, invoke.ts, pool.ts.
import type { Runtime, ServiceDefinition } from '../../kit.js';
import type { LambdaProvider } from '../../generated/lambda.js';
import { makeStore, parseFunctionName, type LambdaStore } from './model.js';
import { functionHandlers, getLatest } from './functions.js';
import { settingsHandlers } from './settings.js';
import { invokeHandler, resolveTarget, runNow, checkJson, MAX_ASYNC_PAYLOAD } from './invoke.js';
import { ServiceError } from '../../kit.js';
import { AsyncInvocations } from './async.js';
import { Mappings } from './mappings.js';
import { invokeStreamHandler } from './streaming.js';
import { reach } from './access.js';
import { urlHandlers } from './urls.js';
import { provisionedHandlers, reprovision } from './provisioned.js';
import { codeSigningHandlers } from './code-signing.js';
import { urlGateway } from './url-gateway.js';
import { layerHandlers, makeLayerStore, type LayerStore } from './layers.js';

const ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::(.+))?$/;

function create(rt: Runtime): LambdaProvider {
  const stores = lambdaStores(rt);
  const layerStores = rt.stores<LayerStore>('lambda-layers', makeLayerStore);
  const queue = new AsyncInvocations(rt, stores);
  const mappings = new Mappings(rt, stores);
  reprovision(rt, stores);

  // what S3 notifications, SNS subscriptions and destinations call
  rt.integrations.lambda = {
    functionExists(arn) {
      const m = ARN.exec(arn);
      if (!m) return false;
      try {
        resolveTarget(stores.get(m[2], m[1]), m[3], m[4]);
        return true;
      } catch {
        return false;
      }
    },
    async invoke(arn, payload, type) {
      const m = ARN.exec(arn);
      if (!m) throw new Error(`Not a function ARN: ${arn}`);
      const store = stores.get(m[2], m[1]);
      const { name } = parseFunctionName(m[3], m[2], m[1]);
      getLatest(store, name);
      if (type === 'Event') {
        await queue.handOver(store, name, m[4], payload);
        return { statusCode: 202 };
      }
      const run = await runNow(rt, store, resolveTarget(store, name, m[4]), payload);
      return { statusCode: 200, payload: run.payload, functionError: run.functionError };
    },
  };

  return {
    ...functionHandlers(rt, stores, layerStores),
    ...layerHandlers(rt, layerStores),
    ...settingsHandlers(rt, stores),
    ...mappings.handlers(),
    ...urlHandlers(rt, stores),
    ...provisionedHandlers(rt, stores),
    ...codeSigningHandlers(rt, stores),
    Invoke: invokeHandler(rt, stores, queue),
    InvokeWithResponseStream: invokeStreamHandler(rt, stores),
    // the deprecated asynchronous invoke: the same queue as InvocationType Event
    async InvokeAsync(i, ctx) {
      const { store, name, qualifier } = reach(rt, stores, ctx, i.FunctionName);
      getLatest(store, name);
      const args = i.InvokeArgs;
      let payload: Buffer;
      if (typeof args === 'string' || args instanceof Uint8Array) payload = Buffer.from(args);
      else {
        const chunks: Buffer[] = [];
        for await (const c of args) chunks.push(Buffer.from(c as Buffer));
        payload = Buffer.concat(chunks);
      }
      if (payload.length > MAX_ASYNC_PAYLOAD)
        throw new ServiceError(
          'RequestEntityTooLargeException',
          `Request must be smaller than ${MAX_ASYNC_PAYLOAD} bytes for the InvokeFunction operation`,
          413,
          { Type: 'User' },
        );
      checkJson(payload);
      queue.enqueue(store, name, qualifier, payload);
      return { Status: 202 };
    },
  };
}

const lambdaStores = (rt: Runtime) => rt.shared('lambda/stores', () => rt.stores<LambdaStore>('lambda', makeStore));

// function URLs: `<url-id>.lambda-url.<region>.localhost` hosts and `/_nimbus/lambda-url/<url-id>/…`
export const lambda: ServiceDefinition = { name: 'lambda', create, claimed: (rt) => urlGateway(rt, lambdaStores(rt)) };
