// The instance metadata service of one instance in process mode: one small HTTP listener per
// instance, on the instance's own loopback address (the SDKs append `/latest/...` to the endpoint
// they are given, replacing any path, so the listener itself must say which instance asks).
// IMDSv2 (PUT /latest/api/token, then the token in X-aws-ec2-metadata-token), IMDSv1 unless
// HttpTokens is `required` (then 401), and 403 for everything while HttpEndpoint is `disabled`. The
// instance record is read at each request, so ModifyInstanceMetadataOptions and tags apply at once.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Rec } from '../store.js';
import type { Tree } from './metadata.js';

export interface ImdsSource {
  /** the instance record as stored now; undefined once it is gone */
  instance(): Rec | undefined;
  /** virtual epoch ms */
  nowMs(): number;
  /** the metadata tree's instance-specific parts that need a lookup (role, subnet) */
  tree(rec: Rec): Promise<Tree>;
}

export interface Imds {
  url: string;
  close(): void;
}

const MAX_TTL = 21600;

function page(status: number, text: string): string {
  return `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
\t\t "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>${status} - ${text}</title>
 </head>
 <body>
  <h1>${status} - ${text}</h1>
 </body>
</html>
`;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
};

function send(res: ServerResponse, status: number, body?: string, headers: Record<string, string> = {}): void {
  const text = body ?? page(status, STATUS_TEXT[status] ?? '');
  res.writeHead(status, {
    'Content-Type': body === undefined ? 'text/html' : 'text/plain',
    'Content-Length': Buffer.byteLength(text),
    Server: 'EC2ws',
    ...headers,
  });
  res.end(text);
}

export async function startImds(address: string, source: ImdsSource): Promise<Imds> {
  const tokens = new Map<string, number>();

  function issueToken(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers['x-forwarded-for'] !== undefined) return send(res, 403);
    const raw = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
    const ttl = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!(ttl >= 1 && ttl <= MAX_TTL)) return send(res, 400);
    const now = source.nowMs();
    if (tokens.size > 1000) for (const [t, exp] of tokens) if (exp <= now) tokens.delete(t);
    const token = randomBytes(42).toString('base64url');
    tokens.set(token, now + ttl * 1000);
    send(res, 200, token, { 'X-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rec = source.instance();
    if (!rec) return send(res, 404);
    const md = rec.MetadataOptions ?? {};
    if (md.HttpEndpoint === 'disabled') return send(res, 403);
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'PUT') return path.replace(/\/+$/, '') === '/latest/api/token' ? issueToken(req, res) : send(res, 405);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405);
    const token = req.headers['x-aws-ec2-metadata-token'];
    const ttl = typeof token === 'string' ? tokens.get(token) : undefined;
    if (token !== undefined && (ttl === undefined || ttl <= source.nowMs())) return send(res, 401);
    if (token === undefined && md.HttpTokens === 'required') return send(res, 401);
    const body = await lookup(await source.tree(rec), path);
    if (body === undefined) return send(res, 404);
    send(
      res,
      200,
      body,
      ttl === undefined ? {} : { 'X-aws-ec2-metadata-token-ttl-seconds': String(Math.max(0, Math.floor((ttl - source.nowMs()) / 1000))) },
    );
  }

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res).catch(() => send(res, 500, 'Internal Server Error')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

/** A path's answer: a leaf's text, or a directory's entries one a line (sub-directories end in `/`). */
async function lookup(root: Tree, path: string): Promise<string | undefined> {
  const parts = path.split('/').filter(Boolean);
  if (!parts.length) return 'latest';
  // dated versions (`2021-07-15`, `1.0`) answer as `latest` does
  if (parts[0] !== 'latest' && !/^(?:\d{4}-\d{2}-\d{2}|1\.0)$/.test(parts[0])) return undefined;
  let node: Tree[string] = root;
  for (const part of parts.slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = node[part];
  }
  if (typeof node === 'function') node = await node();
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  return Object.entries(node)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (typeof v === 'object' && parts.length > 1 ? `${k}/` : k))
    .join('\n');
}
