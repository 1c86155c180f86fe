// One health check: an HTTP GET of the health check path, judged by the matcher's codes. The
// outcome carries the reason code and description DescribeTargetHealth reports for a failure.
import { request } from 'node:http';
import { request as secureRequest } from 'node:https';

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
      agent: false as const,
      rejectUnauthorized: false,
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
