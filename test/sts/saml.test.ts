// STS AssumeRoleWithSAML against a SAML provider registered in IAM (its metadata's signing
// certificate), and DecodeAuthorizationMessage refusing what Nimbus did not encode; under enforcement.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignedXml } from 'xml-crypto';
import { IAMClient, CreateRoleCommand, CreateSAMLProviderCommand } from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleWithSAMLCommand, DecodeAuthorizationMessageCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { serverForFile, clientConfig, rejects, advanceClock } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });
const KEY = readFileSync(new URL('../../../test/fixtures/saml-idp.key', import.meta.url), 'utf8');
const CERT = readFileSync(new URL('../../../test/fixtures/saml-idp.crt', import.meta.url), 'utf8');
const CERT_B64 = CERT.replace(/-----[A-Z ]+-----|\s/g, '');
const ISSUER = 'https://idp.example.com/saml';
const ROLE = 'arn:aws:iam::000000000000:role/saml-admins';
const PROVIDER = 'arn:aws:iam::000000000000:saml-provider/corp-idp';

const metadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${ISSUER}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>${CERT_B64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

const now = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;

/** A SAML response whose assertion is signed with `key` (the IdP's, unless told otherwise). */
async function response(opts: { attrs?: Record<string, string[]>; key?: string; tamper?: (xml: string) => string } = {}): Promise<string> {
  const t = await now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const attrs = opts.attrs ?? {
    'https://aws.amazon.com/SAML/Attributes/Role': [`${ROLE},${PROVIDER}`],
    'https://aws.amazon.com/SAML/Attributes/RoleSessionName': ['alice@example.com'],
  };
  const attrXml = Object.entries(attrs)
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue>${v}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
    )
    .join('');
  const assertion =
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="${iso(t)}">` +
    `<saml:Issuer>${ISSUER}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice-0042</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(t + 300_000)}" Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(t - 60_000)}" NotOnOrAfter="${iso(t + 300_000)}"><saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AttributeStatement>${attrXml}</saml:AttributeStatement></saml:Assertion>`;
  const sig = new SignedXml({
    privateKey: opts.key ?? KEY,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  sig.computeSignature(assertion, { location: { reference: "//*[local-name(.)='Issuer']", action: 'after' } });
  let xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0" IssueInstant="${iso(t)}">${sig.getSignedXml()}</samlp:Response>`;
  if (opts.tamper) xml = opts.tamper(xml);
  return Buffer.from(xml).toString('base64');
}

const sts = () => new STSClient(clientConfig(nimbus.url, { credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } }));
const assume = async (SAMLAssertion: string, extra: Record<string, unknown> = {}) =>
  sts().send(new AssumeRoleWithSAMLCommand({ RoleArn: ROLE, PrincipalArn: PROVIDER, SAMLAssertion, ...extra }));

test('a signed assertion naming the role gets it, with the subject, issuer and name qualifier AWS reports', async () => {
  const iam = new IAMClient(clientConfig(nimbus.url));
  const { SAMLProviderArn } = await iam.send(new CreateSAMLProviderCommand({ Name: 'corp-idp', SAMLMetadataDocument: metadata }));
  assert.equal(SAMLProviderArn, PROVIDER);
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'saml-admins',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: PROVIDER },
            Action: 'sts:AssumeRoleWithSAML',
            Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml', 'saml:sub_type': 'persistent' } },
          },
        ],
      }),
    }),
  );
  const out = await assume(await response());
  assert.equal(out.Subject, 'alice-0042');
  assert.equal(out.SubjectType, 'persistent');
  assert.equal(out.Issuer, ISSUER);
  assert.equal(out.Audience, 'https://signin.aws.amazon.com/saml');
  assert.equal(out.NameQualifier, createHash('sha1').update(`${ISSUER}000000000000/corp-idp`).digest('base64'));
  assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::000000000000:assumed-role/saml-admins/alice@example.com');
  const c = out.Credentials!;
  const me = await new STSClient(
    clientConfig(nimbus.url, {
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    }),
  ).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, 'arn:aws:sts::000000000000:assumed-role/saml-admins/alice@example.com');
});

test('a tampered assertion, another signer, an unknown provider, a role the assertion does not name: refused', async () => {
  const tampered = await response({ tamper: (x) => x.replace('alice@example.com', 'mallory@example.com') });
  await rejects(assume(tampered), 'InvalidIdentityTokenException', 400, (e) => assert.equal(e.message, 'Response signature invalid'));
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await rejects(assume(await response({ key: otherKey })), 'InvalidIdentityTokenException', 400, (e) =>
    assert.equal(e.message, 'Response signature invalid'),
  );
  await rejects(
    assume(await response(), { PrincipalArn: 'arn:aws:iam::000000000000:saml-provider/nope' }),
    'InvalidIdentityTokenException',
    400,
    (e) => assert.equal(e.message, "Specified provider doesn't exist."),
  );
  await rejects(assume(await response(), { RoleArn: 'arn:aws:iam::000000000000:role/other' }), 'AccessDenied', 403, (e) =>
    assert.equal(e.message, 'Not authorized to perform sts:AssumeRoleWithSAML'),
  );
  await rejects(assume(Buffer.from('<not xml').toString('base64')), 'InvalidIdentityTokenException', 400);
});

test('signature wrapping: an unsigned assertion injected beside the signed one is not trusted', async () => {
  const assertionOf = (xml: string) => /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
  // the attacker's copy: the signed assertion without its signature, naming another session
  const evil = (xml: string, id: string) => {
    const copy = assertionOf(xml)
      .replace(/<Signature [\s\S]*<\/Signature>/, '')
      .replace('alice@example.com', 'mallory@example.com')
      .replace('ID="_a1"', `ID="${id}"`);
    assert.ok(!copy.includes('Signature') && copy.includes('mallory'));
    return copy;
  };
  const wraps: ((xml: string) => string)[] = [
    // before the signed assertion, with its ID or another
    (x) => x.replace('<saml:Assertion', `${evil(x, '_a1')}<saml:Assertion`),
    (x) => x.replace('<saml:Assertion', `${evil(x, '_evil')}<saml:Assertion`),
    // after it
    (x) => x.replace('</samlp:Response>', `${evil(x, '_evil')}</samlp:Response>`),
    // the signed assertion tucked into Extensions, the attacker's in its place
    (x) => x.replace(assertionOf(x), `<samlp:Extensions>${assertionOf(x)}</samlp:Extensions>${evil(x, '_a1')}`),
  ];
  for (const tamper of wraps) {
    await rejects(assume(await response({ tamper })), 'InvalidIdentityTokenException', 400, (e) =>
      assert.equal(e.message, 'Response signature invalid'),
    );
  }
  // the untouched response still works
  assert.equal(
    (await assume(await response())).AssumedRoleUser?.Arn,
    'arn:aws:sts::000000000000:assumed-role/saml-admins/alice@example.com',
  );
});

test('an assertion without RoleSessionName, or past its NotOnOrAfter, is refused as AWS refuses it', async () => {
  const noName = await response({ attrs: { 'https://aws.amazon.com/SAML/Attributes/Role': [`${PROVIDER},${ROLE}`] } });
  await rejects(assume(noName), 'InvalidIdentityTokenException', 400, (e) =>
    assert.equal(e.message, 'RoleSessionName is required in AuthnResponse'),
  );
  const late = await response();
  await advanceClock(nimbus.url, '10m');
  await rejects(assume(late), 'ExpiredTokenException', 400);
});

test('DecodeAuthorizationMessage refuses a message Nimbus did not encode', async () => {
  await rejects(
    new STSClient(clientConfig(nimbus.url)).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'bm90LWEtbWVzc2FnZQ' })),
    'InvalidAuthorizationMessageException',
    400,
  );
});
