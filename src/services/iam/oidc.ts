// OIDC web identities for STS AssumeRoleWithWebIdentity: a JWT checked against the provider
// registered in IAM (issuer, audience, expiry on the virtual clock) and signed by a key of the JWKS
// the user registers for it (POST /_nimbus/iam/oidc-jwks {"providerArn", "jwks"}).
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import type { Runtime } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { IamStore } from './store.js';

export interface WebIdentity {
  providerArn: string;
  issuer: string;
  subject: string;
  audience: string;
  claims: Record<string, unknown>;
}

const invalidToken = (msg: string) => new ServiceError('InvalidIdentityToken', msg, 400);
const b64json = (s: string): Record<string, unknown> => JSON.parse(Buffer.from(s, 'base64url').toString());
const ALGS: Record<string, { hash: string; ec?: boolean; pss?: boolean }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
};

export function checkWebIdentity(rt: Runtime, store: (account: string) => IamStore, account: string, token: string): WebIdentity {
  const parts = token.split('.');
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    if (parts.length !== 3) throw new Error('parts');
    header = b64json(parts[0]);
    claims = b64json(parts[1]);
  } catch {
    throw invalidToken('The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)');
  }
  const iss = String(claims.iss ?? '');
  const host = iss.replace(/^https:\/\//, '').replace(/\/$/, '');
  const providerArn = `arn:aws:iam::${account}:oidc-provider/${host}`;
  const provider = store(account).providers.get(providerArn);
  if (!provider?.Url) throw invalidToken(`No OpenIDConnect provider found in your account for ${iss}`);
  const auds = Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud ?? '')];
  const audience = auds.find((a) => provider.ClientIDList?.includes(a));
  if (!audience) throw invalidToken('Incorrect token audience');
  const now = rt.clock.nowMs() / 1000;
  if (typeof claims.exp === 'number' && claims.exp <= now) {
    throw new ServiceError(
      'ExpiredTokenException',
      `Token expired: current date/time ${Math.floor(now)} must be before the expiration date/time ${claims.exp}`,
      400,
    );
  }
  const alg = ALGS[String(header.alg)];
  const keys = (provider.jwks as { keys?: (JsonWebKey & { kid?: string })[] } | undefined)?.keys ?? [];
  const jwk = keys.find((k) => header.kid === undefined || k.kid === header.kid);
  if (!alg || !jwk)
    throw invalidToken(
      "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
    );
  let ok: boolean;
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    ok = verify(
      alg.hash,
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key, ...(alg.ec ? { dsaEncoding: 'ieee-p1363' as const } : {}), ...(alg.pss ? { padding: 6, saltLength: 32 } : {}) },
      Buffer.from(parts[2], 'base64url'),
    );
  } catch {
    ok = false;
  }
  if (!ok) throw invalidToken('The web identity token signature could not be verified.');
  return { providerArn, issuer: host, subject: String(claims.sub ?? ''), audience, claims };
}

/** The admin route that registers a provider's signing keys. */
export function jwksRoute(rt: Runtime, store: (account: string) => IamStore): void {
  rt.admin.route('POST /_nimbus/iam/oidc-jwks', (req) => {
    let body: { providerArn?: string; jwks?: { keys?: unknown[] } };
    try {
      body = JSON.parse(req.body.toString());
    } catch {
      return { status: 400, body: { error: 'the body must be JSON: {"providerArn", "jwks"}' } };
    }
    const account = /^arn:aws:iam::(\d{12}):oidc-provider\//.exec(body.providerArn ?? '')?.[1];
    const s = account ? store(account) : undefined;
    const p = s?.providers.get(body.providerArn!);
    if (!s || !p?.Url) return { status: 404, body: { error: `no OpenID Connect provider ${body.providerArn}` } };
    if (!Array.isArray(body.jwks?.keys)) return { status: 400, body: { error: 'jwks must be {"keys": [...]}' } };
    s.providers.put(body.providerArn!, { ...p, jwks: body.jwks });
    return { body: { providerArn: body.providerArn, keys: body.jwks!.keys!.length } };
  });
}
