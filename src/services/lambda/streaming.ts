// InvokeWithResponseStream, whose answer is an event stream of PayloadChunk events closed by
// InvokeComplete (ErrorCode / ErrorDetails / LogResult).
import type { Runtime, RequestContext, Stores } from '../../kit.js';
import { ServiceError, eventStream } from '../../kit.js';
import type {
  InvokeWithResponseStreamRequest,
  InvokeWithResponseStreamResponse,
  InvokeWithResponseStreamResponseEvent,
} from '../../generated/lambda.js';
import { ChunkQueue } from './runtime-stream.js';
import { invalidValue, type LambdaStore } from './model.js';
import { reach } from './access.js';
import { checkJson, MAX_SYNC_PAYLOAD, resolveTarget, runNow, type Target } from './invoke.js';
import type { Execution } from './executor.js';

const TAIL_BYTES = 4096;

/** What a failed run reports in InvokeComplete: the error's type and message. */
export function errorOf(run: Execution): { ErrorCode: string; ErrorDetails: string } {
  try {
    const e = JSON.parse(run.payload.toString()) as { errorType?: string; errorMessage?: string };
    return { ErrorCode: e.errorType ?? 'Unhandled', ErrorDetails: e.errorMessage ?? run.payload.toString() };
  } catch {
    return { ErrorCode: 'Unhandled', ErrorDetails: run.payload.toString() };
  }
}

/** Runs the target with a chunk queue; `done` settles with the execution (the queue is closed then). */
export function runStreaming(
  rt: Runtime,
  store: LambdaStore,
  target: Target,
  payload: Buffer,
  clientContext?: string,
): { queue: ChunkQueue; done: Promise<Execution> } {
  const queue = new ChunkQueue();
  const done = runNow(rt, store, target, payload, clientContext, queue).finally(() => queue.close());
  return { queue, done };
}

export function invokeStreamHandler(rt: Runtime, stores: Stores<LambdaStore>) {
  return async (i: InvokeWithResponseStreamRequest, ctx: RequestContext): Promise<InvokeWithResponseStreamResponse> => {
    const { store, name, qualifier } = reach(rt, stores, ctx, i.FunctionName, i.Qualifier);
    const payload = i.Payload ? Buffer.from(i.Payload) : Buffer.alloc(0);
    if (payload.length > MAX_SYNC_PAYLOAD) {
      throw new ServiceError(
        'RequestEntityTooLargeException',
        `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeWithResponseStream operation`,
        413,
        { Type: 'User' },
      );
    }
    const target = resolveTarget(store, name, qualifier);
    checkJson(payload);
    const type = i.InvocationType ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'DryRun') throw invalidValue(`Unsupported InvocationType: ${type}`);
    if (i.LogType && i.LogType !== 'None' && i.LogType !== 'Tail') throw invalidValue(`Unsupported LogType: ${i.LogType}`);
    if (type === 'DryRun') return { StatusCode: 204, ExecutedVersion: target.fn.version };
    const { queue, done } = runStreaming(rt, store, target, payload, i.ClientContext);
    // a throttle or a failure to start is the call's error, not the stream's
    await Promise.race([queue.started, done]);
    async function* events(): AsyncGenerator<InvokeWithResponseStreamResponseEvent> {
      for await (const chunk of queue) yield { PayloadChunk: { Payload: chunk } };
      const run = await done;
      let complete: NonNullable<InvokeWithResponseStreamResponseEvent['InvokeComplete']> = {};
      if (run.functionError) complete = errorOf(run);
      else if (!queue.streamed && run.payload.length) {
        // a function that does not stream: its whole answer is one chunk
        yield { PayloadChunk: { Payload: run.payload } };
      }
      if (i.LogType === 'Tail') {
        const log = Buffer.from(run.log);
        complete.LogResult = log.subarray(Math.max(0, log.length - TAIL_BYTES)).toString('base64');
      }
      yield { InvokeComplete: complete };
    }
    return {
      StatusCode: 200,
      ExecutedVersion: target.fn.version,
      ResponseStreamContentType: 'application/vnd.amazon.eventstream',
      EventStream: eventStream(events()),
    };
  };
}
