// SAML 2.0 assertions for STS AssumeRoleWithSAML: the response's XML signature is checked with the
// signing certificate of the IdP metadata registered in IAM (CreateSAMLProvider), then the signed
// assertion alone is read (never the unsigned document around it, and a response that carries any
// other assertion is refused: signature wrapping), its issuer, audience and validity
// window checked on the virtual clock. Messages are those of IAM's SAML troubleshooting guide.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Runtime } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { IamStore } from './store.js';
import type { SamlIdentity } from '../../kit.js';

export const SAML_AUDIENCE = 'https://signin.aws.amazon.com/saml';
const ATTR = 'https://aws.amazon.com/SAML/Attributes/';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

const invalid = (msg: string) => new ServiceError('InvalidIdentityToken', msg, 400);

/** Elements by local name in a namespace, as an array. */
function all(node: Document | Element, ns: string, name: string): Element[] {
  return Array.from(node.getElementsByTagNameNS(ns, name) as unknown as ArrayLike<Element>);
}
const text = (el: Element | undefined) => (el?.textContent ?? '').trim();

// the XML and signature libraries are loaded with the first SAML document, not at startup
let libs: { DOMParser: typeof import('@xmldom/xmldom').DOMParser; SignedXml: typeof import('xml-crypto').SignedXml } | undefined;
function saml() {
  const require = createRequire(import.meta.url);
  return (libs ??= {
    DOMParser: (require('@xmldom/xmldom') as typeof import('@xmldom/xmldom')).DOMParser,
    SignedXml: (require('xml-crypto') as typeof import('xml-crypto')).SignedXml,
  });
}

function parse(xml: string): Document {
  const errors: string[] = [];
  const { DOMParser } = saml();
  const doc = new DOMParser({
    errorHandler: (level: string, msg: unknown) => {
      if (level !== 'warning') errors.push(String(msg));
    },
  }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc?.documentElement) throw invalid('Invalid SAML response: the assertion is not well-formed XML');
  return doc as unknown as Document;
}

/** The signing certificates and entity id of an IdP's metadata document. */
function metadata(doc: string): { entityId: string; certs: string[] } {
  const md = parse(doc);
  const entityId = md.documentElement.getAttribute('entityID') ?? '';
  const certs = all(md, DSIG, 'X509Certificate').map((c) => text(c).replace(/\s+/g, ''));
  return { entityId, certs };
}

const pem = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;

/** The XML of the assertion a certificate of the IdP signed (the assertion itself, or the response around it), or undefined. */
function signedAssertion(xml: string, doc: Document, certs: string[]): string | undefined {
  for (const sigNode of all(doc, DSIG, 'Signature')) {
    for (const cert of certs) {
      const sig = new (saml().SignedXml)({ publicCert: pem(cert), getCertFromKeyInfo: () => null });
      try {
        sig.loadSignature(sigNode as unknown as Node);
        if (!sig.checkSignature(xml)) continue;
      } catch {
        continue;
      }
      for (const ref of sig.getSignedReferences()) {
        const signed = parse(ref);
        const root = signed.documentElement;
        if (root.namespaceURI === SAML && root.localName === 'Assertion') return ref;
        const inner = all(signed, SAML, 'Assertion');
        if (inner.length === 1) return ref;
      }
    }
  }
  return undefined;
}

export function checkSaml(rt: Runtime, store: (account: string) => IamStore, providerArn: string, assertionB64: string): SamlIdentity {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):saml-provider\/([\w+=,.@-]+)$/.exec(providerArn);
  const provider = m ? store(m[1]).providers.get(providerArn) : undefined;
  if (!m || !provider?.SAMLMetadataDocument) throw invalid("Specified provider doesn't exist.");
  const [, account, providerName] = m;
  if (!/^[A-Za-z0-9+/=\s]+$/.test(assertionB64)) throw invalid('Invalid base64 SAMLResponse');
  const xml = Buffer.from(assertionB64, 'base64').toString('utf8');
  const doc = parse(xml);
  let meta: ReturnType<typeof metadata>;
  try {
    meta = metadata(provider.SAMLMetadataDocument);
  } catch {
    throw invalid('Could not parse metadata.');
  }
  const signed = signedAssertion(xml, doc, meta.certs);
  // signature wrapping: an assertion the signature does not cover, beside the signed one, voids the response
  if (!signed || all(doc, SAML, 'Assertion').length !== 1) throw invalid('Response signature invalid');
  const assertion = all(parse(signed), SAML, 'Assertion')[0] ?? parse(signed).documentElement;

  const issuer = text(all(assertion, SAML, 'Issuer')[0]);
  if (meta.entityId && issuer !== meta.entityId) throw invalid('Issuer not present in specified provider');
  const audiences = all(assertion, SAML, 'Audience').map(text);
  if (!audiences.includes(SAML_AUDIENCE)) throw invalid('Response does not contain the required audience.');

  const now = rt.clock.nowMs();
  const cond = all(assertion, SAML, 'Conditions')[0];
  const notBefore = Date.parse(cond?.getAttribute('NotBefore') ?? '');
  const notAfter = Math.min(
    ...[cond?.getAttribute('NotOnOrAfter'), ...all(assertion, SAML, 'SubjectConfirmationData').map((e) => e.getAttribute('NotOnOrAfter'))]
      .map((t) => Date.parse(t ?? ''))
      .filter((t) => !Number.isNaN(t)),
  );
  if (!Number.isNaN(notBefore) && now < notBefore) throw invalid('Response is not yet valid (NotBefore is in the future)');
  if (Number.isFinite(notAfter) && now >= notAfter)
    throw new ServiceError('ExpiredTokenException', 'Assertion has expired (NotOnOrAfter is in the past)', 400);

  const nameId = all(assertion, SAML, 'NameID')[0];
  const format = nameId?.getAttribute('Format') ?? '';
  const subjectType = format.endsWith(':persistent') ? 'persistent' : format.endsWith(':transient') ? 'transient' : format;
  const attributes: Record<string, string[]> = {};
  for (const a of all(assertion, SAML, 'Attribute')) {
    attributes[a.getAttribute('Name') ?? ''] = all(a, SAML, 'AttributeValue').map(text);
  }
  const sessionName = attributes[`${ATTR}RoleSessionName`]?.[0];
  if (!sessionName) throw invalid('RoleSessionName is required in AuthnResponse');
  if (!/^[a-zA-Z_0-9+=,.@-]{2,64}$/.test(sessionName))
    throw invalid('RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');
  const sourceIdentity = attributes[`${ATTR}SourceIdentity`]?.[0];
  if (sourceIdentity !== undefined && (!/^[a-zA-Z_0-9+=,.@-]{2,64}$/.test(sourceIdentity) || sourceIdentity.startsWith('aws:'))) {
    throw invalid('Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"');
  }
  // Role values are "roleArn,providerArn" in either order
  const roles = (attributes[`${ATTR}Role`] ?? []).flatMap((v) => {
    const parts = v.split(',').map((s) => s.trim());
    const role = parts.find((p) => /:role\//.test(p));
    const prov = parts.find((p) => /:saml-provider\//.test(p));
    return role && prov === providerArn ? [role] : [];
  });
  const tags: Record<string, string> = {};
  for (const [name, values] of Object.entries(attributes)) {
    if (name.startsWith(`${ATTR}PrincipalTag:`) && values[0] !== undefined) tags[name.slice(`${ATTR}PrincipalTag:`.length)] = values[0];
  }
  const duration = Number(attributes[`${ATTR}SessionDuration`]?.[0]);
  return {
    providerArn,
    issuer,
    subject: text(nameId),
    subjectType,
    audience: SAML_AUDIENCE,
    nameQualifier: createHash('sha1').update(`${issuer}${account}/${providerName}`).digest('base64'),
    sessionName,
    ...(sourceIdentity ? { sourceIdentity } : {}),
    ...(Number.isFinite(duration) ? { sessionDuration: duration } : {}),
    roles,
    attributes,
    tags,
    transitive: attributes[`${ATTR}TransitiveTagKeys`] ?? [],
  };
}
