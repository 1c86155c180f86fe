// The credential report (GenerateCredentialReport / GetCredentialReport): one CSV line per user.
import type { IamProvider } from '../../generated/iam.js';
import type { RequestContext } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { IamStore, KeyRec } from './store.js';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

const iso = (d: Date | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, '+00:00') : 'N/A');

function keyColumns(k: KeyRec | undefined): string[] {
  if (!k) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  return [
    String(k.Status === 'Active'),
    iso(k.CreateDate),
    iso(k.lastUsed?.date),
    k.lastUsed?.region ?? 'N/A',
    k.lastUsed?.service ?? 'N/A',
  ];
}

export function reportHandlers(store: (ctx: RequestContext) => IamStore): IamProvider {
  return {
    GenerateCredentialReport: (_i, ctx) => {
      const s = store(ctx);
      const lines = [
        HEADER,
        [
          '<root_account>',
          `arn:aws:iam::${ctx.account}:root`,
          iso(new Date(0)),
          'not_supported',
          'N/A',
          'not_supported',
          'not_supported',
          'false',
          ...keyColumns(undefined),
          ...keyColumns(undefined),
          'false',
          'N/A',
          'false',
          'N/A',
        ].join(','),
      ];
      const keys = [...s.keys.scan()].map(([, k]) => k);
      for (const [, u] of s.users.scan()) {
        const mine = keys.filter((k) => k.UserName === u.UserName);
        lines.push(
          [
            u.UserName,
            u.Arn,
            iso(u.CreateDate),
            String(!!u.login),
            u.login ? 'no_information' : 'N/A',
            u.login ? iso(u.login.CreateDate) : 'N/A',
            'N/A',
            'false',
            ...keyColumns(mine[0]),
            ...keyColumns(mine[1]),
            'false',
            'N/A',
            'false',
            'N/A',
          ].join(','),
        );
      }
      s.meta.put('report', JSON.stringify({ at: ctx.clock.nowMs(), csv: lines.join('\n') }));
      return { State: 'COMPLETE', Description: 'No report exists. Starting a new report generation task' };
    },
    GetCredentialReport: (_i, ctx) => {
      const raw = store(ctx).meta.get('report');
      if (!raw) throw new ServiceError('ReportNotPresent', 'Credential report not present.', 410);
      const { at, csv } = JSON.parse(raw) as { at: number; csv: string };
      // a report is served for four hours after it was generated
      if (ctx.clock.nowMs() - at > 4 * 3600_000) throw new ServiceError('ReportExpired', 'Credential report is expired.', 410);
      return { Content: Buffer.from(csv), ReportFormat: 'text/csv', GeneratedTime: new Date(at) };
    },
  };
}
