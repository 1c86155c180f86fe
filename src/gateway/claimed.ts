// Requests a service answers outside its API (its profile's `claimed`: a function URL): the body is
// read, the service answers, the answer is sent as it is (a Readable streams). No stage runs.
import type { Runtime } from '../runtime.js';
import type { HttpResponse } from '../protocols/types.js';
import type { ClaimedRequests } from '../services/types.js';
import { ServiceError } from '../services/errors.js';
import type { Exchange } from './exchange.js';
import { readBody } from './body.js';
import { send } from './send.js';

export async function serveClaimed(rt: Runtime, claimer: ClaimedRequests, x: Exchange): Promise<void> {
  let response: HttpResponse;
  try {
    x.http.body = await readBody(x.req);
    response = await claimer.serve(x.http, { requestId: x.requestId, sourceIp: x.req.socket.remoteAddress ?? '127.0.0.1' });
  } catch (e) {
    const known = e instanceof ServiceError;
    if (!known) rt.log.error(`claimed request ${x.http.method} ${x.http.path}: ${(e as Error)?.stack ?? e}`);
    const status = known ? (e.status ?? 400) : 500;
    const message = known ? e.message : 'Internal Server Error';
    response = {
      status,
      headers: { 'Content-Type': 'application/json', ...(known ? { 'x-amzn-ErrorType': e.code } : {}) },
      body: JSON.stringify({ Message: message }),
    };
  }
  send(x.res, x.http, response, x.requestId, {}, {});
  rt.log.info(`claimed ${x.http.method} ${x.http.path} ${response.status} ${(performance.now() - x.started).toFixed(1)}ms ${x.requestId}`);
}
