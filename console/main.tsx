// The console's frame: account and region, the services grouped as the seeds group them, and the
// page of the selected one (loaded on demand: each page is its own chunk).
import { render, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { pages } from 'console:pages';
import { groups, opsPages, REGIONS, type CatalogService } from './catalog.js';
import { SessionContext, type Session } from './lib/session.js';
import { ErrorBox, Loading, admin } from './lib/ui.js';

type PageModule = { default: ComponentType };
const pageIds = Object.keys(pages);
const hasPage = (id: string) => pageIds.includes(id);

const routeOf = () => location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] || '';

function useRoute() {
  const [route, setRoute] = useState(routeOf());
  useEffect(() => {
    const on = () => setRoute(routeOf());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function stored(key: string, fallback: string) {
  try {
    return localStorage.getItem(`nimbus.${key}`) ?? fallback;
  } catch {
    return fallback;
  }
}

function AccountPicker({ account, onChange }: { account: string; onChange: (a: string) => void }) {
  const [text, setText] = useState(account);
  const valid = /^\d{12}$/.test(text);
  useEffect(() => setText(account), [account]);
  return (
    <label class="picker">
      <span>Account</span>
      <input
        value={text}
        inputMode="numeric"
        aria-label="Account id (12 digits)"
        aria-invalid={!valid}
        list="accounts"
        size={13}
        onInput={(e) => setText((e.target as HTMLInputElement).value.trim())}
        onChange={() => valid && onChange(text)}
        onKeyDown={(e) => e.key === 'Enter' && valid && onChange(text)}
      />
      <datalist id="accounts">
        <option value="000000000000" />
        <option value="111111111111" />
        <option value="222222222222" />
      </datalist>
    </label>
  );
}

function Nav({ route, served }: { route: string; served?: Set<string> }) {
  return (
    <nav class="nav" aria-label="Services">
      <a href="#/" aria-current={route === '' ? 'page' : undefined}>
        All services
      </a>
      {groups.map((g) => {
        const withPages = g.services.filter((s) => hasPage(s.id));
        if (!withPages.length) return null;
        return (
          <div key={g.name}>
            <h3>{g.name}</h3>
            {withPages.map((s) => (
              <a key={s.id} href={`#/${s.id}`} aria-current={route === s.id ? 'page' : undefined}>
                {s.name}
                {served && s.served && !served.has(s.served) ? <span class="muted"> (not served)</span> : null}
              </a>
            ))}
          </div>
        );
      })}
      {opsPages.some((p) => hasPage(p.id)) ? (
        <div>
          <h3>Nimbus</h3>
          {opsPages
            .filter((p) => hasPage(p.id))
            .map((p) => (
              <a key={p.id} href={`#/${p.id}`} aria-current={route === p.id ? 'page' : undefined}>
                {p.name}
              </a>
            ))}
        </div>
      ) : null}
    </nav>
  );
}

function ServiceCard({ s, served }: { s: CatalogService; served?: Set<string> }) {
  const isServed = !!(s.served && served?.has(s.served));
  return (
    <li class="card" data-service={s.id}>
      <div class="card-head">
        {hasPage(s.id) ? <a href={`#/${s.id}`}>{s.name}</a> : <strong>{s.name}</strong>}
        <span
          class={`badge ${s.kind}`}
          title={s.kind === 'managed' ? 'AWS runs it; you use it' : 'You create and run it on AWS infrastructure'}
        >
          {s.kind === 'managed' ? 'Managed service' : 'Resource'}
        </span>
        <span class={`badge ${isServed ? 'served' : 'unserved'}`}>{served ? (isServed ? 'Served by Nimbus' : 'Not served') : '…'}</span>
      </div>
      <dl class="split">
        <dt>AWS manages</dt>
        <dd>{s.aws}</dd>
        <dt>You manage</dt>
        <dd>{s.you}</dd>
      </dl>
    </li>
  );
}

function Home({ served, error }: { served?: Set<string>; error?: unknown }) {
  return (
    <div>
      <h1>All services</h1>
      <p class="muted">
        Grouped as in the introduction to AWS services. A <em>managed service</em> is run by AWS and you use it; a <em>resource</em> you
        create and manage yourself on infrastructure AWS runs. Each card shows that shared responsibility split.
      </p>
      <ErrorBox error={error} />
      {groups.map((g) => (
        <section key={g.name} aria-label={g.name}>
          <h2>{g.name}</h2>
          <p class="muted">{g.blurb}</p>
          <ul class="cards">
            {g.services.map((s) => (
              <ServiceCard key={s.id} s={s} served={served} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function Page({ id }: { id: string }) {
  const [mod, setMod] = useState<{ id: string; m?: PageModule; error?: unknown }>();
  useEffect(() => {
    let live = true;
    setMod(undefined);
    (pages as Record<string, () => Promise<PageModule>>)[id]().then(
      (m) => live && setMod({ id, m }),
      (error) => live && setMod({ id, error }),
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (!mod || mod.id !== id) return <Loading what="Loading the page" />;
  if (mod.error) return <ErrorBox error={mod.error} />;
  const C = mod.m!.default;
  return <C />;
}

function App() {
  const route = useRoute();
  const [account, setAccount] = useState(stored('account', '000000000000'));
  const [region, setRegion] = useState(stored('region', 'us-east-1'));
  const [health, setHealth] = useState<{ served?: Set<string>; error?: unknown }>({});
  useEffect(() => {
    admin<{ services: Record<string, unknown> }>('/_nimbus/health').then(
      (h) => setHealth({ served: new Set(Object.keys(h.services)) }),
      (error) => setHealth({ error }),
    );
  }, []);
  const save = (k: string, v: string) => {
    try {
      localStorage.setItem(`nimbus.${k}`, v);
    } catch {
      /* private mode */
    }
  };
  const session: Session = { account, region, endpoint: location.origin };
  const known = route === '' || hasPage(route);
  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          Nimbus console
        </a>
        <div class="pickers">
          <AccountPicker
            account={account}
            onChange={(a) => {
              setAccount(a);
              save('account', a);
            }}
          />
          <label class="picker">
            <span>Region</span>
            <select
              value={region}
              aria-label="Region"
              onChange={(e) => {
                const v = (e.target as HTMLSelectElement).value;
                setRegion(v);
                save('region', v);
              }}
            >
              {REGIONS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <div class="layout">
        <Nav route={route} served={health.served} />
        <main id="main" tabIndex={-1}>
          {route === '' ? (
            <Home served={health.served} error={health.error} />
          ) : known ? (
            <Page key={`${route}|${account}|${region}`} id={route} />
          ) : (
            <p class="empty">
              No page “{route}”. <a href="#/">All services</a>
            </p>
          )}
        </main>
      </div>
    </SessionContext.Provider>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
