// One health check: an HTTP GET of the health check path, judged by the matcher's codes. The
// outcome carries the reason code and description DescribeTargetHealth reports for a failure.
import { request } from 'node:http';
import { request as secureRequest } from 'node:https';
import { connect, type Socket } from 'node:net';

/** The PROXY protocol v2 header of a load balancer's own connection (LOCAL: no client to name), as health checks send it. */
export const PROXY_V2_LOCAL = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x20, 0x00, 0x00, 0x00]);

export interface ProbeOutcome {
  ok: boolean;
  reason?: 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks';
  description?: string;
}

/** Does a status code satisfy a matcher (`200`, `200,302`, `200-299`)? */
export function codeMatches(code: number, matcher: string | undefined): boolean {
  return (matcher ?? '200').split(',').some((part) => {
    const [lo, hi] = part.split('-').map((x) => Number(x.trim()));
    return hi === undefined ? code === lo : code >= lo && code <= hi;
  });
}

export function judge(code: number, matcher: string | undefined): ProbeOutcome {
  if (codeMatches(code, matcher)) return { ok: true };
  return { ok: false, reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${code}]` };
}

export const failedChecks = (): ProbeOutcome => ({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' });
export const timedOut = (): ProbeOutcome => ({ ok: false, reason: 'Target.Timeout', description: 'Request timed out' });

/** GETs `path` on host:port; a refused connection or a malformed answer fails, no answer within `timeoutMs` times out. */
export function httpProbe(
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
  matcher: string | undefined,
  tls = false,
  proxyProtocol = false,
): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    // targets' certificates are not checked (ELB does not either)
    const opts = {
      host,
      port,
      path,
      method: 'GET',
      headers: { 'user-agent': 'ELB-HealthChecker/2.0', accept: '*/*', connection: 'close' },
      rejectUnauthorized: false,
      // a target group with proxy protocol gets the header first on health check connections too
      // (a request given its own connection takes no agent)
      ...(proxyProtocol && !tls
        ? {
            createConnection: (): Socket => {
              const sock = connect({ host, port });
              sock.write(PROXY_V2_LOCAL);
              return sock;
            },
          }
        : { agent: false as const }),
    };
    const req = (tls ? secureRequest : request)(opts, (res) => {
      res.resume();
      done(judge(res.statusCode ?? 0, matcher));
    });
    const timer = setTimeout(() => done(timedOut()), timeoutMs);
    req.on('error', () => done(failedChecks()));
    req.end();
  });
}
