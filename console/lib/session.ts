// The selected account and region, and SDK clients signed as that account's root (its 12-digit id
// as the access key id, as Nimbus's test keys go), pointed at this same Nimbus.
import { createContext } from 'preact';
import { useContext, useMemo } from 'preact/hooks';

export interface Session {
  account: string;
  region: string;
  endpoint: string;
}

export const SessionContext = createContext<Session>({ account: '000000000000', region: 'us-east-1', endpoint: location.origin });

export const useSession = () => useContext(SessionContext);

export function credentialsOf(account: string) {
  return { accessKeyId: account === '000000000000' ? 'test' : account, secretAccessKey: 'test' };
}

/** An SDK client for the session; one per page mount and session (no retries: the console shows the first error). */
export function useClient<C>(Ctor: new (config: any) => C, extra: Record<string, unknown> = {}): C {
  const s = useSession();
  return useMemo(
    () => new Ctor({ endpoint: s.endpoint, region: s.region, credentials: credentialsOf(s.account), maxAttempts: 1, ...extra }),
    [s.account, s.region, s.endpoint],
  );
}
