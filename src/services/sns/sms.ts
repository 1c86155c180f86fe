// SMS settings and the SMS sandbox: recorded, nothing is sent (one-time passwords go to the outbox).
import { randomBytes } from 'node:crypto';
import { ServiceError } from '../../kit.js';
import type { RequestContext } from '../../kit.js';
import type { SnsProvider } from '../../generated/sns.js';
import type { SnsState } from './store.js';
import type { Publisher } from './publish.js';
import { E164, decodeToken, encodeToken, invalid } from './validate.js';

type Handlers = Pick<
  SnsProvider,
  | 'GetSMSSandboxAccountStatus'
  | 'ListOriginationNumbers'
  | 'CreateSMSSandboxPhoneNumber'
  | 'VerifySMSSandboxPhoneNumber'
  | 'DeleteSMSSandboxPhoneNumber'
  | 'ListSMSSandboxPhoneNumbers'
  | 'CheckIfPhoneNumberIsOptedOut'
  | 'ListPhoneNumbersOptedOut'
  | 'OptInPhoneNumber'
  | 'GetSMSAttributes'
  | 'SetSMSAttributes'
>;

export function smsHandlers(s: SnsState, p: Publisher): Handlers {
  const sandbox = (ctx: RequestContext) => s.store(ctx.account, ctx.region).sandbox;
  return {
    GetSMSSandboxAccountStatus: () => ({ IsInSandbox: false }),
    ListOriginationNumbers: () => ({ PhoneNumbers: [] }),
    CreateSMSSandboxPhoneNumber: ({ PhoneNumber, LanguageCode }, ctx) => {
      if (!E164.test(PhoneNumber)) throw invalid('PhoneNumber');
      // the one-time password goes out as an SMS: it is in the outbox
      const code = String(100000 + (randomBytes(4).readUInt32BE() % 900000));
      sandbox(ctx).put(PhoneNumber, { status: 'Pending', code });
      p.recordDirect(ctx, 'sms', PhoneNumber, {
        message: `Your Amazon SNS verification code is ${code}${LanguageCode && LanguageCode !== 'en-US' ? ` (${LanguageCode})` : ''}`,
      });
      return {};
    },
    VerifySMSSandboxPhoneNumber: ({ PhoneNumber, OneTimePassword }, ctx) => {
      const rec = sandbox(ctx).get(PhoneNumber);
      if (!rec) throw new ServiceError('ResourceNotFound', 'Phone number does not exist');
      if (rec.status !== 'Verified' && rec.code !== OneTimePassword)
        throw new ServiceError('VerificationException', 'Invalid one-time password', undefined, { Status: 'Pending' });
      sandbox(ctx).put(PhoneNumber, { ...rec, status: 'Verified' });
      return {};
    },
    DeleteSMSSandboxPhoneNumber: ({ PhoneNumber }, ctx) => {
      if (!sandbox(ctx).delete(PhoneNumber)) throw new ServiceError('ResourceNotFound', 'Phone number does not exist');
      return {};
    },
    ListSMSSandboxPhoneNumbers: ({ NextToken, MaxResults }, ctx) => {
      const limit = MaxResults ?? 100;
      const items = [...sandbox(ctx).scan({ after: decodeToken(NextToken), limit: limit + 1 })];
      const page = items.slice(0, limit);
      return {
        PhoneNumbers: page.map(([PhoneNumber, r]) => ({ PhoneNumber, Status: r.status })),
        ...(items.length > limit ? { NextToken: encodeToken(page[page.length - 1][0]) } : {}),
      };
    },

    CheckIfPhoneNumberIsOptedOut: ({ phoneNumber }) => {
      if (!E164.test(phoneNumber)) throw invalid('PhoneNumber');
      return { isOptedOut: false };
    },
    ListPhoneNumbersOptedOut: () => ({ phoneNumbers: [] }),
    OptInPhoneNumber: () => ({}),
    GetSMSAttributes: ({ attributes }, ctx) => {
      const all = s.store(ctx.account, ctx.region).sms.get('attributes') ?? {};
      return { attributes: attributes?.length ? Object.fromEntries(Object.entries(all).filter(([k]) => attributes.includes(k))) : all };
    },
    SetSMSAttributes: ({ attributes }, ctx) => {
      const c = s.store(ctx.account, ctx.region).sms;
      c.put('attributes', { ...(c.get('attributes') ?? {}), ...attributes });
      return {};
    },
  };
}
