// Content-Encoding: aws-chunked, the framing of SigV4 streaming uploads and flexible-checksum trailers:
//   hex-size[;chunk-signature=sig]\r\n <data> \r\n … 0[;chunk-signature=sig]\r\n
//   [name:value\r\n …][x-amz-trailer-signature:sig\r\n] \r\n
// Decoded as a byte-level state machine, so headers and CRLFs may be split across any input
// buffers; data is passed on as slices of the input, never copied.
//
// Holding back: when chunk signatures are verified, a chunk's data is held until its signature
// checks out, so downstream only ever sees verified bytes. Clients sign chunks of 64 KiB–8 MiB;
// a chunk larger than `maxHeldBytes` (8 MiB) is streamed on and its signature failure, should it
// come, arrives as a stream error after the fact. Unverified streams are never held.
//
// Errors are S3's: any framing fault is IncompleteBody "The request body terminated unexpectedly"
// (what S3 answers for a bad size, a missing CRLF, a truncated body, or bytes after the end);
// x-amz-decoded-content-length disagreeing is IncompleteBody with the Content-Length message;
// a non-final chunk under 8 KiB is InvalidChunkSizeError; a bad signature SignatureDoesNotMatch.
import { createHash, createHmac, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ServiceError } from '../services/errors.js';

/** What verify() yields for a STREAMING-AWS4-HMAC-SHA256-* request: the chain's starting point. */
export interface ChunkVerification {
  signingKey: Buffer;
  /** the request's X-Amz-Date, '20261124T101010Z' */
  amzDate: string;
  /** '20261124/us-east-1/s3/aws4_request' */
  scope: string;
  /** the request's own signature: the first chunk's "previous signature" */
  seedSignature: string;
}

export interface AwsChunkedOptions {
  /** 'signed': chunks carry chunk-signature (checked when `verify` is given); 'unsigned': extensions ignored */
  mode: 'signed' | 'unsigned';
  /** trailing headers may follow the final chunk */
  trailer: boolean;
  verify?: ChunkVerification;
  /** x-amz-decoded-content-length */
  decodedLength?: number;
  /** S3 refuses a data chunk under this size unless it is the last (default 8192; 0 turns it off) */
  minChunkSize?: number;
  /** with `verify`, a chunk is held for its signature up to this many bytes (default 8 MiB) */
  maxHeldBytes?: number;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CR = 0x0d;
const LF = 0x0a;
const SEMI = 0x3b;
const MAX_LINE = 4096; // a chunk extension or trailer line; real ones are under 100 bytes
const MAX_TRAILERS = 64 * 1024;

// parser states
const SIZE = 0;
const EXT = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const TRAILER = 6;
const TRAILER_LF = 7;
const DONE = 8;

const truncated = () => new ServiceError('IncompleteBody', 'The request body terminated unexpectedly', 400);
const lengthMismatch = () =>
  new ServiceError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.', 400);
const badTrailer = () =>
  new ServiceError(
    'MalformedTrailerError',
    'The request contained trailing data that was not well-formed or did not conform to our published schema.',
    400,
  );
const badSignature = () =>
  new ServiceError(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    403,
  );

const hexVal = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;

function chunkSignature(ext: string): string {
  const at = ext.indexOf('chunk-signature=');
  if (at < 0) return '';
  const end = ext.indexOf(';', at);
  return ext.slice(at + 16, end < 0 ? undefined : end).trim();
}

/** The decoding itself, shared by the stream and the buffered form; throws ServiceError. */
class ChunkParser {
  readonly trailers: Record<string, string> = {};
  private state = SIZE;
  private size = 0;
  private sizeDigits = 0;
  private remaining = 0;
  private line = '';
  private chunkNo = 0;
  private prevSize = 0;
  private total = 0;
  private readonly verifying: boolean;
  private readonly minChunk: number;
  private readonly maxHeld: number;
  private prevSig: string;
  private chunkSig = '';
  private hash: Hash | undefined;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private passThrough = false;
  private trailerText = '';
  private trailerSig: string | undefined;

  constructor(private readonly o: AwsChunkedOptions) {
    this.verifying = o.mode === 'signed' && o.verify !== undefined;
    this.prevSig = o.verify?.seedSignature ?? '';
    this.minChunk = o.minChunkSize ?? 8192;
    this.maxHeld = o.maxHeldBytes ?? 8 * 1024 * 1024;
  }

  feed(buf: Buffer, out: (b: Buffer) => void): void {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case DATA: {
          const take = Math.min(this.remaining, n - i);
          this.data(buf.subarray(i, i + take), out);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = DATA_CR;
          break;
        }
        case SIZE: {
          const c = buf[i++];
          const d = hexVal(c);
          if (d >= 0) {
            if (++this.sizeDigits > 12) throw truncated(); // 2^48 bytes: more than anyone uploads
            this.size = this.size * 16 + d;
          } else if (this.sizeDigits === 0) throw truncated();
          else if (c === SEMI) this.state = EXT;
          else if (c === CR) this.state = SIZE_LF;
          else throw truncated();
          break;
        }
        case EXT:
        case TRAILER: {
          const cr = buf.indexOf(CR, i);
          const end = cr < 0 ? n : cr;
          this.line += buf.toString('latin1', i, end);
          if (this.line.length > MAX_LINE) throw truncated();
          i = end;
          if (cr >= 0) {
            i++;
            this.state = this.state === EXT ? SIZE_LF : TRAILER_LF;
          }
          break;
        }
        case SIZE_LF:
          if (buf[i++] !== LF) throw truncated();
          this.chunkHeader();
          break;
        case DATA_CR:
          if (buf[i++] !== CR) throw truncated();
          this.state = DATA_LF;
          break;
        case DATA_LF:
          if (buf[i++] !== LF) throw truncated();
          this.chunkEnd(out);
          break;
        case TRAILER_LF:
          if (buf[i++] !== LF) throw truncated();
          this.trailerLine();
          break;
        default: // DONE: bytes after the final CRLF
          throw truncated();
      }
    }
  }

  finish(): void {
    if (this.state !== DONE) throw truncated();
    if (this.o.decodedLength !== undefined && this.total !== this.o.decodedLength) throw lengthMismatch();
  }

  private chunkHeader(): void {
    const size = this.size;
    this.chunkNo++;
    // S3 finds a small chunk out when the next one with data arrives, and names that next one
    if (size > 0 && this.chunkNo > 1 && this.prevSize < this.minChunk) {
      throw new ServiceError(
        'InvalidChunkSizeError',
        `Only the last chunk is allowed to have a size less than ${this.minChunk} bytes`,
        400,
        {
          Chunk: this.chunkNo,
          BadChunkSize: this.prevSize,
        },
      );
    }
    this.prevSize = size;
    const limit = this.o.decodedLength;
    if (limit !== undefined && this.total + size > limit) throw lengthMismatch();
    if (this.verifying) {
      this.chunkSig = chunkSignature(this.line);
      if (!this.chunkSig) throw badSignature();
    }
    this.line = '';
    if (size > 0) {
      this.remaining = size;
      this.state = DATA;
      if (this.verifying) {
        this.hash = createHash('sha256');
        this.passThrough = false;
      }
    } else {
      if (this.verifying) this.verifyChunk(EMPTY_SHA256);
      this.state = TRAILER;
    }
  }

  private data(piece: Buffer, out: (b: Buffer) => void): void {
    this.total += piece.length;
    if (!this.verifying) return out(piece);
    this.hash!.update(piece);
    if (!this.passThrough && this.heldBytes + piece.length <= this.maxHeld) {
      this.held.push(piece);
      this.heldBytes += piece.length;
      return;
    }
    this.passThrough = true; // too big to hold: stream on, fail after the fact if need be
    this.release(out);
    out(piece);
  }

  private release(out: (b: Buffer) => void): void {
    for (const b of this.held) out(b);
    this.held = [];
    this.heldBytes = 0;
  }

  private chunkEnd(out: (b: Buffer) => void): void {
    if (this.verifying) {
      this.verifyChunk(this.hash!.digest('hex'));
      this.release(out);
    }
    this.state = SIZE;
    this.size = 0;
    this.sizeDigits = 0;
  }

  private sign(stringToSign: string): string {
    return createHmac('sha256', this.o.verify!.signingKey).update(stringToSign).digest('hex');
  }

  private verifyChunk(dataHash: string): void {
    const v = this.o.verify!;
    const sig = this.sign(`AWS4-HMAC-SHA256-PAYLOAD\n${v.amzDate}\n${v.scope}\n${this.prevSig}\n${EMPTY_SHA256}\n${dataHash}`);
    if (sig !== this.chunkSig) throw badSignature();
    this.prevSig = sig;
  }

  private trailerLine(): void {
    const line = this.line;
    this.line = '';
    if (line === '') {
      this.state = DONE;
      // no trailer at all needs no signature; that a declared x-amz-trailer arrived is the caller's to check
      if (this.verifying && (this.trailerText || this.trailerSig !== undefined)) this.verifyTrailer();
      return;
    }
    if (!this.o.trailer) throw truncated(); // bytes after the final chunk
    this.state = TRAILER;
    const colon = line.indexOf(':');
    if (colon <= 0) throw badTrailer();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      this.trailerSig = value;
      return;
    }
    if (this.trailerSig !== undefined) throw badTrailer(); // the signature comes last
    this.trailers[name] = value;
    this.trailerText += line + '\n'; // signed as 'name:value\n' per line
    if (this.trailerText.length > MAX_TRAILERS) throw badTrailer();
  }

  private verifyTrailer(): void {
    if (this.trailerSig === undefined) throw badSignature();
    const v = this.o.verify!;
    const hash = createHash('sha256').update(this.trailerText, 'latin1').digest('hex');
    if (this.sign(`AWS4-HMAC-SHA256-TRAILER\n${v.amzDate}\n${v.scope}\n${this.prevSig}\n${hash}`) !== this.trailerSig) throw badSignature();
  }
}

/** Streams the decoded data; failures surface as stream errors carrying a ServiceError. */
export class AwsChunkedDecoder extends Transform {
  /** trailing headers (lowercased names), complete once the stream has ended */
  readonly trailers: Record<string, string>;
  private readonly parser: ChunkParser;
  private readonly out = (b: Buffer) => {
    this.push(b);
  };

  constructor(opts: AwsChunkedOptions) {
    super();
    this.parser = new ChunkParser(opts);
    this.trailers = this.parser.trailers;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.parser.feed(chunk, this.out);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.parser.finish();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}

/** Decodes a fully buffered aws-chunked body; throws ServiceError. */
export function decodeAwsChunked(body: Buffer, opts: AwsChunkedOptions): { body: Buffer; trailers: Record<string, string> } {
  const parser = new ChunkParser(opts);
  const parts: Buffer[] = [];
  parser.feed(body, (b) => parts.push(b));
  parser.finish();
  return { body: parts.length === 1 ? parts[0] : Buffer.concat(parts), trailers: parser.trailers };
}
