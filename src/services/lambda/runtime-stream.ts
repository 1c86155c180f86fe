// The Runtime API's `streaming` response mode: chunks forwarded as the function writes them, a
// mid-stream failure in the trailers Lambda-Runtime-Function-Error-Type / -Body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Environment, StreamSink } from './environment.js';

/** The runtime's streamed response to one invocation: forwarded chunk by chunk, kept (up to `max`) for a buffered caller. */
export function streamedResponse(env: Environment, req: IncomingMessage, res: ServerResponse, max: number): void {
  const reply = (status: number, body: unknown) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/response$/.exec(req.url ?? '');
  const requestId = m ? decodeURIComponent(m[1]) : '';
  const sink = m && req.method === 'POST' ? env.sinkFor(requestId) : false;
  if (sink === false) {
    req.resume();
    return reply(400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
  }
  sink?.open?.(req.headers['content-type']);
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= max) chunks.push(c);
    sink?.chunk(c);
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    const type = req.trailers['lambda-runtime-function-error-type'];
    let payload = Buffer.concat(chunks);
    let error = false;
    if (type) {
      error = true;
      const body = req.trailers['lambda-runtime-function-error-body'];
      const text = body ? Buffer.from(body, 'base64').toString() : '';
      payload = Buffer.from(text || JSON.stringify({ errorType: type, errorMessage: '' }));
    } else if (!sink && size > max) {
      error = true;
      payload = Buffer.from(
        JSON.stringify({
          errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${max} bytes).`,
          errorType: 'Function.ResponseSizeTooLarge',
        }),
      );
    }
    if (!env.respond(requestId, payload, error)) return reply(400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    reply(202, { status: 'OK' });
  });
}

/** Chunks pushed by the runtime, pulled by the event stream (an async iterable that ends with `close`). */
export class ChunkQueue implements StreamSink {
  contentType?: string;
  /** the runtime answered in the streaming response mode */
  streamed = false;
  private readonly items: Buffer[] = [];
  private waiting?: () => void;
  private closed = false;
  private opened?: () => void;
  /** resolves when the runtime starts its streamed response (or the invocation ends without one) */
  readonly started = new Promise<void>((resolve) => (this.opened = resolve));

  open(contentType: string | undefined): void {
    this.contentType = contentType;
    this.streamed = true;
    this.opened?.();
  }

  chunk(data: Buffer): void {
    this.items.push(data);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.opened?.();
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.items.length) {
        yield this.items.shift()!;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}
