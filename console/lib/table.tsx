// A resource table with its loading and empty states, its pager, one resource's details, and the
// list a page picks a resource from.
import { Fragment, type ComponentChildren, type HTMLAttributes } from 'preact';
import { useState } from 'preact/hooks';
import { Empty, ErrorBox, Loading } from './ui.js';

type Cell<T> = (row: T, index: number) => ComponentChildren;

/** A `useLoad` result the table or list shows: its error above, its first load as loading, no empty state after a failure. */
type Load = { data?: unknown; error?: unknown; loading: boolean };

/**
 * The columns, header → cell, in order (`''` for the one unnamed column, usually the actions);
 * `{ cell, class }` gives the cells a class.
 */
export type Columns<T> = Record<string, Cell<T> | { cell: Cell<T>; class: string }>;

export interface TableProps<T> {
  /** the table's accessible name */
  label: string;
  rows: readonly T[];
  columns: Columns<T>;
  rowKey: (row: T, index: number) => string | number;
  /** attributes of a row (`data-*` hooks, `aria-selected`) */
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<string, unknown>;
  /** the load the rows come from (instead of `loading`, and the load's error shown) */
  load?: Load;
  /** true while the first load runs (a reload keeps the rows shown) */
  loading?: boolean;
  loadingText?: string;
  /** shown instead of an empty table; without it an empty table is drawn */
  empty?: ComponentChildren;
  /** rows drawn before the resource rows (folders above objects) */
  before?: ComponentChildren;
  /** wrapped for horizontal scrolling (default) */
  wrap?: boolean;
  /** no header row */
  headless?: boolean;
  /** a row's expansion (a record, a payload): drawn as a full-width row below it when not null */
  expand?: (row: T) => ComponentChildren;
}

export function ResourceTable<T>(p: TableProps<T>) {
  if (!p.load) return <Table {...p} />;
  const { data, error, loading } = p.load;
  return (
    <>
      <ErrorBox error={error} />
      <Table {...p} loading={loading && data === undefined} empty={error ? null : p.empty} />
    </>
  );
}

function Table<T>(p: TableProps<T>) {
  const cols = Object.entries(p.columns).map(([name, c]) =>
    typeof c === 'function' ? { name, cell: c, class: undefined } : { name, ...c },
  );
  if (p.loading) return <Loading what={p.loadingText} />;
  if (p.rows.length === 0 && p.empty !== undefined && !p.before) return p.empty === null ? null : <Empty>{p.empty}</Empty>;
  const table = (
    <table aria-label={p.label}>
      {p.headless ? null : (
        <thead>
          <tr>{cols.map((c, i) => (c.name ? <th key={i}>{c.name}</th> : <th key={i} />))}</tr>
        </thead>
      )}
      <tbody>
        {p.before}
        {p.rows.map((r, i) => {
          const more = p.expand?.(r);
          return (
            <Fragment key={p.rowKey(r, i)}>
              <tr {...(p.rowProps?.(r) ?? {})}>
                {cols.map((c, j) => (
                  <td key={j} class={c.class}>
                    {c.cell(r, i)}
                  </td>
                ))}
              </tr>
              {more === undefined || more === null ? null : (
                <tr>
                  <td colSpan={cols.length}>{more}</td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
  return p.wrap === false ? table : <div class="table-wrap">{table}</div>;
}

/** Previous and next page buttons around the page number (`info` follows it); a missing handler disables its button. */
export function Pager({ page, onPrev, onNext, info }: { page: number; onPrev?: () => void; onNext?: () => void; info?: string }) {
  return (
    <div class="actions">
      <button disabled={!onPrev} onClick={onPrev}>
        Previous page
      </button>
      <span class="muted" role="status">
        Page {page}
        {info ? `: ${info}` : ''}
      </span>
      <button disabled={!onNext} onClick={onNext}>
        Next page
      </button>
    </div>
  );
}

/**
 * One resource's details as a term list; rows whose value is null, undefined or false are left out.
 * Without rows (not loaded yet) it shows the loading state while `loading`, else nothing.
 */
export function Details({ rows, loading, testId }: { rows?: [string, ComponentChildren][]; loading?: boolean; testId?: string }) {
  if (!rows) return loading ? <Loading /> : null;
  return (
    <dl class="split" data-testid={testId}>
      {rows
        .filter(([, v]) => v !== null && v !== undefined && v !== false)
        .map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
    </dl>
  );
}

/** A link that selects a resource on the page (`href` is the page's own route, for a link opened elsewhere). */
export function PickLink({
  href,
  onPick,
  current,
  children,
}: {
  href: string;
  onPick: () => void;
  current?: boolean;
  children: ComponentChildren;
}) {
  return (
    <a href={href} onClick={(e) => (e.preventDefault(), onPick())} aria-current={current ? 'true' : undefined}>
      {children}
    </a>
  );
}

/** The list a page picks one resource from (tables, functions, queues): links that select, the selected one marked. */
export function PickList<T>(p: {
  items: readonly T[];
  /** what selecting it passes on (a name, a URL, an ARN) */
  id: (item: T) => string;
  /** what the link shows (the id when omitted) */
  name?: (item: T) => string;
  selected?: string;
  onPick: (id: string) => void;
  /** the page's own route, so that a link opened elsewhere lands on the page */
  href: string;
  extra?: (item: T) => ComponentChildren;
  /** the load the items come from (instead of `loading`, and the load's error shown) */
  load?: Load;
  loading?: boolean;
  loadingText?: string;
  /** shown when there are none (null: nothing, as when the list failed to load) */
  empty: ComponentChildren;
  /** the list's accessible name */
  label?: string;
}) {
  if (p.load) {
    const { data, error, loading } = p.load;
    return (
      <>
        <ErrorBox error={error} />
        <PickList {...p} load={undefined} loading={loading && data === undefined} empty={error ? null : p.empty} />
      </>
    );
  }
  if (p.loading) return <Loading what={p.loadingText} />;
  if (p.items.length === 0) return p.empty === null ? null : <Empty>{p.empty}</Empty>;
  return (
    <ul aria-label={p.label}>
      {p.items.map((it) => {
        const id = p.id(it);
        return (
          <li key={id}>
            <PickLink href={p.href} onPick={() => p.onPick(id)} current={id === p.selected}>
              {p.name ? p.name(it) : id}
            </PickLink>
            {p.extra ? <> {p.extra(it)}</> : null}
          </li>
        );
      })}
    </ul>
  );
}

/** The resource a page's pick list selected; `gone()` (it was deleted) clears it and reloads the list. */
export function usePicked(reload: () => void) {
  const [selected, setSelected] = useState<string>();
  return { selected, setSelected, gone: () => (setSelected(undefined), reload()) };
}

type Tone = 'ok' | 'warn' | 'bad';
const TONES: Record<string, Tone> = {};
for (const s of [
  'ok',
  'running',
  'active',
  'healthy',
  'available',
  'in-use',
  'inservice',
  'successful',
  'attached',
  'associated',
  'enabled',
])
  TONES[s] = 'ok';
for (const s of [
  'pending',
  'stopping',
  'stopped',
  'provisioning',
  'initial',
  'draining',
  'creating',
  'attaching',
  'detaching',
  'inprogress',
  'unused',
  'pending:wait',
  'in_progress',
  'insufficient_data',
])
  TONES[s] = 'warn';
for (const s of [
  'terminated',
  'shutting-down',
  'failed',
  'unhealthy',
  'deleted',
  'deleting',
  'terminating',
  'cancelled',
  'unavailable',
  'error',
  'alarm',
])
  TONES[s] = 'bad';

/**
 * A resource's state as a coloured badge (green when it serves, amber on the way, red when gone or
 * failing); `tone` overrides the colour the state would get.
 */
export function StateBadge({ state, tone, testId }: { state?: string; tone?: Tone; testId?: string }) {
  const s = state ?? '';
  return (
    <span class={`badge ${tone ?? TONES[s.toLowerCase()] ?? ''}`} data-testid={testId}>
      {s}
    </span>
  );
}
