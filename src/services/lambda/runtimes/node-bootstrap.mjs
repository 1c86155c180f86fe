// Nimbus's Node.js runtime interface client: loads the handler (CommonJS or ESM), then loops on the
// Lambda Runtime API (next → handler → response/error). Output goes to stdout as AWS formats it; a
// marker line after each invocation tells Nimbus the invocation's output is complete.
import http from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = '/2018-06-01/runtime';
const MARK = '\u0000NIMBUS-DONE ';
let requestId = '';

function call(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host,
        port: Number(port),
        method,
        path: base + path,
        agent,
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } : headers,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// console.* as the Node.js runtime writes it: timestamp, request id, level, message (all to stdout)
const write = (s) => process.stdout.write(s);
process.stderr.write = process.stdout.write.bind(process.stdout);
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
]) {
  console[method] = (...args) => write(`${new Date().toISOString()}\t${requestId || 'undefined'}\t${level}\t${format(...args)}\n`);
}

const errorJson = (e, type) => {
  const err = e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e));
  return { errorType: type ?? err.name ?? 'Error', errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
};

async function initError(e, type) {
  const body = errorJson(e, type);
  write(`${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(body)}\n`);
  await call('POST', '/init/error', JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': body.errorType });
  process.exit(1);
}

async function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT;
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  if (dot < 1) return initError(new Error(`Bad handler ${spec}`), 'Runtime.MalformedHandlerName');
  const modulePath = spec.slice(0, dot);
  const fnPath = spec.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => join(root, modulePath + ext)).find(existsSync);
  if (!file) {
    const e = new Error(`Error: Cannot find module '${modulePath}'\nRequire stack:\n- /var/runtime/index.mjs`);
    return initError(e, 'Runtime.ImportModuleError');
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    return initError(e, e instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : undefined);
  }
  let fn = mod;
  for (const part of fnPath.split('.')) fn = fn?.[part] ?? fn?.default?.[part];
  if (typeof fn !== 'function') return initError(new Error(`${spec} is undefined or not exported`), 'Runtime.HandlerNotFound');
  return fn;
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let done = false;
    const callback = (err, result) => {
      if (done) return;
      done = true;
      if (err) reject(err);
      else resolve(result);
    };
    context.done = callback;
    context.succeed = (r) => callback(null, r);
    context.fail = (e) => callback(e ?? new Error('handled'));
    try {
      const r = handler(event, context, callback);
      if (r && typeof r.then === 'function')
        r.then(
          (v) => callback(null, v),
          (e) => callback(e ?? new Error('undefined')),
        );
      else if (handler.length < 3) callback(null, r);
    } catch (e) {
      callback(e);
    }
  });
}

// response streaming: awslambda.streamifyResponse marks a handler `(event, responseStream, context)`;
// its stream is the Runtime API's `streaming` response (chunked, a failure in the trailers)
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';
class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION);
    stream.write(JSON.stringify(prelude ?? {}));
    stream.write(new Uint8Array(8));
    return stream;
  }
}
globalThis.awslambda = {
  streamifyResponse(fn) {
    fn[STREAMING] = 'response';
    return fn;
  },
  HttpResponseStream,
};

function streamingResponse(id) {
  let answered;
  const done = new Promise((resolve) => (answered = resolve));
  const req = http.request(
    {
      host,
      port: Number(port),
      method: 'POST',
      path: `${base}/invocation/${id}/response`,
      agent,
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
        'Content-Type': 'application/octet-stream',
      },
    },
    (res) => {
      res.resume();
      res.on('end', answered);
    },
  );
  req.on('error', answered);
  req.setContentType = (type) => {
    if (!req.headersSent) req.setHeader('Content-Type', type);
  };
  return { stream: req, done };
}

async function runStreaming(handler, event, context) {
  const { stream, done } = streamingResponse(requestId);
  try {
    await handler(event, stream, context);
    if (!stream.writableEnded) stream.end();
  } catch (e) {
    const err = errorJson(e);
    write(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(err)}\n`);
    if (!stream.writableEnded) {
      stream.addTrailers({
        'Lambda-Runtime-Function-Error-Type': err.errorType,
        'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(err)).toString('base64'),
      });
      stream.end();
    }
  }
  write(`${MARK}${requestId}\n`);
  await done;
}

// the runtime stays alive while a handler waits on nothing (a promise that never settles times out)
setInterval(() => {}, 1 << 30);
const handler = await loadHandler();
const env = process.env;
for (;;) {
  const next = await call('GET', '/invocation/next');
  const h = next.headers;
  requestId = h['lambda-runtime-aws-request-id'];
  env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'] ?? '';
  const deadline = Number(h['lambda-runtime-deadline-ms']);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  if (h['lambda-runtime-client-context']) context.clientContext = JSON.parse(h['lambda-runtime-client-context']);
  let event;
  try {
    event = JSON.parse(next.body.toString() || 'null');
  } catch {
    event = next.body.toString();
  }
  if (handler[STREAMING] === 'response') {
    await runStreaming(handler, event, context);
    requestId = '';
    continue;
  }
  let path,
    body,
    headers = {};
  try {
    const result = await runHandler(handler, event, context);
    path = `/invocation/${requestId}/response`;
    body = result === undefined ? 'null' : JSON.stringify(result);
  } catch (e) {
    const err = errorJson(e);
    write(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(err)}\n`);
    path = `/invocation/${requestId}/error`;
    body = JSON.stringify(err);
    headers = { 'Lambda-Runtime-Function-Error-Type': err.errorType };
  }
  write(`${MARK}${requestId}\n`);
  await call('POST', path, body, headers);
  requestId = '';
}
