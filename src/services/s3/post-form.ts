// Reads the multipart/form-data body of a browser POST upload as it streams in: the fields that
// come before the `file` part are collected, the file is handed over as a stream (never buffered),
// and every part after it is read through and ignored, as S3 does.
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Busboy as BusboyFactory, BusboyConfig, BusboyFileStream } from '@fastify/busboy';

// loaded on the first form upload, not at startup (idle memory)
const require = createRequire(import.meta.url);
let busboy: typeof BusboyFactory | undefined;
const Busboy = (config: BusboyConfig) => (busboy ??= (require('@fastify/busboy') as { Busboy: typeof BusboyFactory }).Busboy)(config);
import { ServiceError } from '../errors.js';
import { incompleteBody } from './errors.js';

/** The fields before the file (names and values, not counting the file) may hold this many bytes. */
export const MAX_PRE_DATA = 20480;
/** A client that stops sending is answered RequestTimeout after this long, as S3 does. */
const IDLE_MS = 20_000;

export interface FormField {
  /** as sent: S3 matches names case-insensitively but reports them as written */
  name: string;
  value: string;
}

export interface PostForm {
  /** the fields before the file part, in order */
  fields: FormField[];
  /** the part named `file`; `filename` is undefined when the part had no filename parameter */
  file?: { stream: Readable; filename?: string };
  /** settles once the whole body is read: rejects when it is malformed or cut short */
  done: Promise<void>;
  /** stops reading (an answer goes out before the body is read); the request is left to be closed */
  abort(): void;
}

export const malformedPost = () =>
  new ServiceError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', 400);

const preDataTooLarge = () =>
  new ServiceError('MaxPostPreDataLengthExceeded', 'Your POST request fields preceeding the upload file was too large.', 400, {
    MaxPostPreDataLengthBytes: MAX_PRE_DATA,
  });

/**
 * Starts reading `body`; resolves when the file part begins (or, without one, when the body ends).
 * Only a form-data part named `file` is the file, with or without a filename.
 */
export function readForm(body: Readable, contentType: string): Promise<PostForm> {
  let bb: ReturnType<typeof Busboy>;
  try {
    bb = Busboy({
      headers: { 'content-type': contentType },
      preservePath: true, // S3 takes the text after the last '/' or '\' itself
      isPartAFile: (name) => name?.toLowerCase() === 'file',
      limits: { fieldSize: MAX_PRE_DATA + 1, headerPairs: 16 },
    });
  } catch {
    throw malformedPost(); // no boundary
  }

  return new Promise<PostForm>((resolveForm, rejectForm) => {
    const fields: FormField[] = [];
    let preData = 0;
    let file: BusboyFileStream | undefined;
    let handedOver = false;
    let settled = false;
    let finishDone: () => void = () => {};
    let failDone: (e: Error) => void = () => {};
    const done = new Promise<void>((resolve, reject) => {
      finishDone = resolve;
      failDone = reject;
    });
    done.catch(() => {}); // observed by the caller once the file is stored; never unhandled

    const idle = setTimeout(
      () =>
        fail(
          new ServiceError(
            'RequestTimeout',
            'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
            400,
          ),
        ),
      IDLE_MS,
    );
    const onData = () => idle.refresh();

    const stop = () => {
      clearTimeout(idle);
      body.off('data', onData);
      body.unpipe(bb);
    };
    const form = (withFile?: PostForm['file']): PostForm => ({ fields, file: withFile, done, abort: () => fail() });

    /** Stops reading; with an error, the form (or, once the file is out, `done` and the file's stream) fails with it. */
    function fail(e?: Error): void {
      if (settled) return;
      settled = true;
      stop();
      const err =
        !e || e instanceof ServiceError ? e : (body as { complete?: boolean }).complete === false ? incompleteBody() : malformedPost();
      if (file && !file.readableEnded) file.destroy(err);
      bb.destroy();
      if (handedOver) failDone(err ?? new Error('aborted'));
      else rejectForm(err ?? new Error('aborted'));
    }

    bb.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (handedOver) return; // everything after the file is ignored
      preData += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (valueTruncated || preData > MAX_PRE_DATA) return fail(preDataTooLarge());
      fields.push({ name, value });
    });
    bb.on('file', (_name, stream, filename) => {
      if (handedOver) return void stream.on('error', () => {}).resume(); // a second file: ignored, as all that follows the first
      handedOver = true;
      file = stream;
      stream.on('error', () => {}); // its consumer listens for itself; an error nobody waits for must not crash the process
      resolveForm(form({ stream, filename }));
    });
    bb.on('error', (e: unknown) => fail(e as Error));
    bb.on('finish', () => {
      if (settled) return;
      settled = true;
      stop();
      if (handedOver) finishDone();
      else resolveForm(form());
    });
    body.on('data', onData);
    body.once('error', (e) => fail(e));
    // a client that goes away mid-body: the request closes without ending
    body.once('close', () => {
      if (!body.readableEnded) fail(incompleteBody());
    });
    body.pipe(bb);
  });
}
