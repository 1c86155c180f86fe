// Serving function URLs: Lambda's profile claims `<url-id>.lambda-url.<region>.localhost` hosts and
// the path form `/_nimbus/lambda-url/<url-id>/…`. A request is answered from the URL's CORS
// configuration (preflight), authenticated (AWS_IAM: a SigV4 signature, checked by rt.auth; under
// IAM enforcement also the authorize seam for lambda:InvokeFunctionUrl, where another account's
// caller also needs the function's resource policy, and for AuthType NONE the
// function's resource policy must grant lambda:InvokeFunctionUrl to everyone), run as the payload
// format 2.0 event, and its answer mapped to HTTP: buffered, or streamed as the function writes
// (InvokeMode RESPONSE_STREAM, awslambda.HttpResponseStream's prelude read first).
import { Readable } from 'node:stream';
import type { ClaimedRequests, HttpRequest, HttpResponse, Principal, Runtime, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { LambdaStore, UrlRecord } from './model.js';
import { resolveTarget, runNow, MAX_SYNC_PAYLOAD } from './invoke.js';
import { runStreaming } from './streaming.js';
import { urlKey } from './urls.js';
import { actualCors, preflight, preludeResponse, urlEvent, urlResponse, type CorsConfig, type HttpPrelude } from './url-events.js';

const HOST = /^([a-z0-9]{32})\.lambda-url\.([a-z0-9-]+)\.localhost(?::\d+)?$/;
const PATH = /^\/_nimbus\/lambda-url\/([a-z0-9]{32})(\/.*)?$/;
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

const forbidden = () => new ServiceError('AccessDeniedException', 'Forbidden', 403);

function where(req: HttpRequest): { urlId: string; path: string } | undefined {
  const h = HOST.exec(req.headers.host ?? '');
  if (h) return { urlId: h[1], path: req.path };
  const p = PATH.exec(req.path);
  return p ? { urlId: p[1], path: p[2] ?? '/' } : undefined;
}

/** Does the function's resource policy let everyone call its URL (AuthType NONE under enforcement)? */
function publicAllowed(store: LambdaStore, r: UrlRecord): boolean {
  const statements = store.meta.get(r.name)?.policies[r.qualifier ? r.qualifier : ''] ?? [];
  return statements.some((s) => {
    const action = String(s.Action);
    return (
      s.Effect === 'Allow' && s.Principal === '*' && (action === 'lambda:InvokeFunctionUrl' || action === 'lambda:*' || action === '*')
    );
  });
}

export function urlGateway(rt: Runtime, stores: Stores<LambdaStore>): ClaimedRequests {
  async function authenticate(
    req: HttpRequest,
    r: UrlRecord,
    store: LambdaStore,
    requestId: string,
    sourceIp: string,
  ): Promise<Principal | undefined> {
    if (r.authType !== 'AWS_IAM') {
      if (rt.config.enforceIam && !publicAllowed(store, r)) throw forbidden();
      return undefined;
    }
    let signed: { principal: Principal; region: string } | undefined;
    try {
      signed = rt.auth.verifyRequest(req);
    } catch {
      throw forbidden();
    }
    if (!signed) throw forbidden();
    if (rt.config.enforceIam && rt.pipeline.authorizing) {
      try {
        await rt.pipeline.authorize({
          requestId,
          service: 'lambda',
          operation: 'InvokeFunctionUrl',
          protocol: 'rest-json',
          account: signed.principal.account,
          region: r.region,
          principal: signed.principal,
          // the function's ARN: another account's caller needs its policy (lambda:FunctionUrlAuthType AWS_IAM) and its own
          input: {
            FunctionName: `arn:aws:lambda:${r.region}:${r.account}:function:${r.name}`,
            ...(r.qualifier ? { Qualifier: r.qualifier } : {}),
            FunctionUrlAuthType: 'AWS_IAM',
          },
          headers: req.headers,
          sourceIp,
          userAgent: req.headers['user-agent'],
          secure: false,
          time: rt.clock.now(),
        });
      } catch {
        throw forbidden();
      }
    }
    return signed.principal;
  }

  return {
    claims: (req) => HOST.test(req.headers.host ?? '') || req.path.startsWith('/_nimbus/lambda-url/'),

    async serve(req, info) {
      const at = where(req);
      const loc = at && stores.system().urlIndex.get(at.urlId);
      if (!at || !loc) throw forbidden();
      const store = stores.get(loc.account, loc.region);
      const r = store.urls.get(urlKey(loc.name, loc.qualifier));
      if (!r) throw forbidden();
      const cors = r.cors as CorsConfig | undefined;
      if (cors && req.method === 'OPTIONS' && req.headers.origin && req.headers['access-control-request-method'])
        return preflight(cors, req);
      const caller = await authenticate(req, r, store, info.requestId, info.sourceIp);
      const event = urlEvent({
        req,
        path: at.path,
        urlId: r.urlId,
        region: r.region,
        account: r.account,
        requestId: info.requestId,
        sourceIp: info.sourceIp,
        now: rt.clock.now(),
        caller,
      });
      const payload = Buffer.from(JSON.stringify(event));
      if (payload.length > MAX_SYNC_PAYLOAD)
        throw new ServiceError(
          'RequestEntityTooLargeException',
          'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
          413,
        );
      const target = resolveTarget(store, r.name, r.qualifier || undefined);
      let res: HttpResponse;
      if (r.invokeMode === 'RESPONSE_STREAM') res = await streamed(rt, store, target, payload);
      else {
        const run = await runNow(rt, store, target, payload);
        res = run.functionError ? failure() : urlResponse(run.payload);
      }
      if (cors) res.headers = { ...res.headers, ...actualCors(cors, req) };
      return res;
    },
  };
}

const failure = (): HttpResponse => ({
  status: 502,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ Message: 'Internal Server Error' }),
});

/** RESPONSE_STREAM: the body flows as the function writes it; an HttpResponseStream prelude gives status and headers. */
async function streamed(rt: Runtime, store: LambdaStore, target: ReturnType<typeof resolveTarget>, payload: Buffer): Promise<HttpResponse> {
  const { queue, done } = runStreaming(rt, store, target, payload);
  await Promise.race([queue.started, done]);
  if (!queue.streamed) {
    const run = await done;
    return run.functionError ? failure() : urlResponse(run.payload);
  }
  const chunks = queue[Symbol.asyncIterator]();
  let head: HttpResponse = { status: 200, headers: { 'content-type': queue.contentType ?? 'application/octet-stream' } };
  let first: Buffer[] = [];
  if (queue.contentType === HTTP_INTEGRATION) {
    const { prelude, rest, ended } = await readPrelude(chunks);
    if (prelude === undefined && ended && (await done).functionError) return failure();
    head = preludeResponse(prelude ?? {}, 'application/octet-stream');
    first = rest;
  }
  async function* body() {
    yield* first;
    for (;;) {
      const n = await chunks.next();
      if (n.done) return;
      yield n.value;
    }
  }
  done.catch(() => undefined);
  return { ...head, body: Readable.from(body(), { objectMode: false }) };
}

/** Bytes up to the 8 NULs after the prelude's JSON; what follows them is the body's start. */
async function readPrelude(chunks: AsyncIterator<Buffer>): Promise<{ prelude?: HttpPrelude; rest: Buffer[]; ended: boolean }> {
  let buf = Buffer.alloc(0);
  const SEP = Buffer.alloc(8);
  for (;;) {
    const at = buf.indexOf(SEP);
    if (at >= 0) {
      let prelude: HttpPrelude = {};
      try {
        prelude = JSON.parse(buf.subarray(0, at).toString()) as HttpPrelude;
      } catch {
        // an unreadable prelude: the defaults
      }
      const rest = buf.subarray(at + 8);
      return { prelude, rest: rest.length ? [rest] : [], ended: false };
    }
    const n = await chunks.next();
    if (n.done) return { prelude: undefined, rest: buf.length ? [buf] : [], ended: true };
    buf = Buffer.concat([buf, n.value]);
  }
}
