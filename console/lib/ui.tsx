// Shared pieces of every page: async state, error/empty/loading states, copyable ARNs, tables, forms.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface AwsError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $fault?: string;
}

/** What an SDK error says: the AWS code, its message, the HTTP status and the request id. */
export function describeError(e: unknown): { code: string; message: string; status?: number; requestId?: string } {
  const err = (e ?? {}) as AwsError;
  const code = err.Code ?? err.name ?? 'Error';
  return { code, message: err.message || String(e), status: err.$metadata?.httpStatusCode, requestId: err.$metadata?.requestId };
}

export function ErrorBox({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  const d = describeError(error);
  return (
    <div class="error" role="alert" data-testid="error">
      <strong class="error-code">{d.code}</strong>
      {d.status ? <span class="muted"> (HTTP {d.status})</span> : null}: <span class="error-message">{d.message}</span>
      {d.requestId ? <div class="muted small">Request id {d.requestId}</div> : null}
      {onDismiss ? (
        <button class="link" onClick={onDismiss} aria-label="Dismiss the error">
          Dismiss
        </button>
      ) : null}
    </div>
  );
}

export const Loading = ({ what = 'Loading' }: { what?: string }) => (
  <p class="loading" role="status">
    {what}…
  </p>
);

export const Empty = ({ children }: { children: ComponentChildren }) => <p class="empty">{children}</p>;

/** A value with a button that copies it (ARNs, URLs). */
export function Copy({ value, label }: { value: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      const t = document.createElement('textarea');
      t.value = value;
      document.body.append(t);
      t.select();
      document.execCommand('copy');
      t.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1200);
  };
  return (
    <span class="copy">
      <code>{value}</code>{' '}
      <button class="icon" onClick={copy} aria-label={`Copy ${label ?? value}`} title="Copy">
        {done ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

/** An async load: data, error, loading, and reload. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { ...state, reload: useCallback(() => setN((x) => x + 1), []) };
}

/** An action's running flag and error: `run(fn)` runs fn, records its error, returns its result. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

/** A titled panel; `refresh` adds a Refresh button before the other actions. */
export function Section({
  title,
  children,
  actions,
  refresh,
}: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
  refresh?: () => void;
}) {
  return (
    <section class="panel" aria-label={title}>
      <header class="panel-head">
        <h2>{title}</h2>
        <div class="actions">
          {refresh ? <button onClick={refresh}>Refresh</button> : null}
          {actions}
        </div>
      </header>
      {children}
    </section>
  );
}

export function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** A form whose submit runs `onSubmit` (Enter submits; the button is disabled while it runs). */
export function Form({ onSubmit, children, label }: { onSubmit: () => void | Promise<void>; children: ComponentChildren; label?: string }) {
  return (
    <form
      class="form"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}

export function fmtBytes(n?: number): string {
  if (n === undefined) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export const fmtDate = (d?: Date | string | number) =>
  d === undefined
    ? ''
    : new Date(d)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');

/** Runs `fn` every `ms` while mounted. */
export function useInterval(fn: () => void, ms: number | null) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (ms === null) return;
    const t = setInterval(() => ref.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

/** Admin JSON (the /_nimbus/ routes): the parsed body, or an error carrying the body's message. */
export async function admin<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? 'GET',
    headers: init?.body !== undefined ? { 'content-type': 'application/json' } : undefined,
    body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = { error: text };
  }
  if (!res.ok) {
    const e = new Error(body?.error ?? body?.message ?? `HTTP ${res.status}`) as Error & AwsError;
    e.name = body?.code ?? 'AdminError';
    e.$metadata = { httpStatusCode: res.status };
    throw e;
  }
  return body as T;
}

/** The `hours` before the virtual clock's now (and a minute past it), as a query's StartTime and EndTime. */
export async function clockWindow(hours: number): Promise<{ StartTime: Date; EndTime: Date }> {
  const { epochMs } = await admin<{ epochMs: number }>('/_nimbus/clock');
  return { StartTime: new Date(epochMs - hours * 3600_000), EndTime: new Date(epochMs + 60_000) };
}

/** A tab list: the selected tab is the one Tab stop; ←/→ (and Home/End) move between tabs and select. */
export function Tabs<T extends string>({
  tabs,
  value,
  onChange,
  label,
}: {
  tabs: readonly T[] | { id: T; name: string }[];
  value: T;
  onChange: (t: T) => void;
  label: string;
}) {
  const list = (tabs as (T | { id: T; name: string })[]).map((t) => (typeof t === 'string' ? { id: t, name: t } : t));
  const ref = useRef<HTMLDivElement>(null);
  const key = (e: KeyboardEvent) => {
    const i = list.findIndex((t) => t.id === value);
    const next =
      e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? list.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const j = (next + list.length) % list.length;
    onChange(list[j].id);
    ref.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[j]?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label={label} ref={ref} onKeyDown={key}>
      {list.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          aria-selected={t.id === value}
          tabIndex={t.id === value ? 0 : -1}
          onClick={() => onChange(t.id)}
        >
          {t.name}
        </button>
      ))}
    </div>
  );
}

/** Moves the virtual clock (`by`: `30s`, `5m`) as the action `act`, then runs `onDone` (a reload). */
export function AdvanceClock({
  by,
  text,
  act,
  onDone,
}: {
  by: string;
  text: string;
  act: ReturnType<typeof useAction>;
  onDone: () => void;
}) {
  return (
    <button
      onClick={() => act.run(async () => (await admin('/_nimbus/clock', { method: 'POST', body: { advance: by } }), onDone()))}
      title={`Advance the virtual clock by ${by}`}
    >
      {text}
    </button>
  );
}
