// The delays of an HTTP/S delivery policy's retries (healthyRetryPolicy): immediate, minimum-delay,
// backoff (linear, arithmetic, geometric or exponential between the delay targets) and maximum-delay phases.

/** Delays before each retry, in seconds, from a healthyRetryPolicy. */
export function retryDelays(p: Record<string, any>): number[] {
  const num = (k: string, d: number) => (Number.isFinite(Number(p[k])) ? Number(p[k]) : d);
  const retries = num('numRetries', 3),
    noDelay = num('numNoDelayRetries', 0),
    minN = num('numMinDelayRetries', 0),
    maxN = num('numMaxDelayRetries', 0);
  const min = num('minDelayTarget', 20),
    max = num('maxDelayTarget', 20);
  const backoff = Math.max(0, retries - noDelay - minN - maxN);
  const out: number[] = [];
  for (let i = 0; i < retries; i++) {
    if (i < noDelay) out.push(0);
    else if (i < noDelay + minN) out.push(min);
    else if (i < noDelay + minN + backoff) {
      const k = (i - noDelay - minN + 1) / (backoff + 1);
      const f =
        p.backoffFunction === 'exponential'
          ? Math.pow(k, 3)
          : p.backoffFunction === 'geometric'
            ? k * k
            : p.backoffFunction === 'arithmetic'
              ? k * k
              : k;
      out.push(Math.round(min + (max - min) * f));
    } else out.push(max);
  }
  return out;
}
