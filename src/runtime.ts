// Everything a running Nimbus holds: configuration, storage, the clock, issued credentials, providers.
import { SqliteEngine, type Engine } from './state/engine.js';
import { Clock, type Advance } from './state/clock.js';
import { CredentialStore } from './state/credentials.js';
import { Stores, type StoreScope } from './state/stores.js';
import type { Config } from './config.js';
import type { Principal, Provider, RequestContext, ServiceProfile, SignatureKit } from './services/types.js';
import { signatureKit } from './gateway/auth.js';
import { ServiceError } from './services/errors.js';
import { rootPrincipal } from './state/credentials.js';
import { randomUUID } from 'node:crypto';
import { Logger } from './log.js';
import type { Integrations } from './integrations.js';
import { AdminRoutes } from './admin/registry.js';
import { Pipeline } from './pipeline.js';
import { Timeline } from './ops/timeline.js';
import { Faults } from './ops/fault-store.js';

export class Runtime {
  readonly engine: Engine;
  readonly clock: Clock;
  readonly credentials: CredentialStore;
  readonly log: Logger;
  /** what services offer each other (filled in by each service's create()) */
  readonly integrations: Integrations = {};
  /** routes services add under /_nimbus/ (`rt.admin.route('GET /_nimbus/sns/outbox', …)`) */
  readonly admin = new AdminRoutes();
  /** the seams every call passes: authorize (IAM) and record (CloudTrail, metrics) */
  readonly pipeline = new Pipeline();
  /** each served service's handlers, by service name (filled as the gateway creates them) */
  readonly providers = new Map<string, Provider>();
  /** signature checking for services that read a signature themselves (S3's POST forms) */
  readonly auth: SignatureKit;
  /** what fired on the virtual clock: services record at the point where it fires (`rt.timeline.record`) */
  readonly timeline: Timeline;
  /** injected faults (the admin API's /_nimbus/faults), asked by the gateway's inject stage */
  readonly faults: Faults;
  /** the URL Nimbus listens on (set by nimbus.ts after listen): what code Nimbus runs calls back */
  endpoint = '';
  private readonly sharedState = new Map<string, unknown>();
  private readonly closers: (() => void)[] = [];
  private readonly clockState;

  constructor(readonly config: Config) {
    this.log = new Logger(config.logLevel, config.logFormat);
    this.engine = new SqliteEngine({ dataDir: config.ephemeral ? undefined : config.dataDir, fsync: config.fsync });
    this.clockState = this.engine.collection<Advance[]>('nimbus/clock');
    this.clock = new Clock(Date.now, this.clockState.get('advances') ?? [], (m) => this.log.warn(m));
    this.clock.onAdvance(() => this.clockState.put('advances', this.clock.history()));
    this.credentials = new CredentialStore(this.engine);
    this.auth = signatureKit(this);
    this.timeline = new Timeline(this.clock);
    this.faults = new Faults(this.clock, () => new Map([...this.providers].map(([name, p]) => [name, Object.keys(p)])));
  }

  stores<S>(service: string, make: (scope: StoreScope) => S): Stores<S> {
    return new Stores(this.engine, service, make);
  }

  /**
   * State of this runtime that several modules share (a service's stores, its limits): made on first
   * use, one per runtime (tests run several servers in one process), never a module-level map.
   */
  shared<T>(key: string, make: () => T): T {
    if (!this.sharedState.has(key)) this.sharedState.set(key, make());
    return this.sharedState.get(key) as T;
  }

  /**
   * Calls an operation of a served service from inside Nimbus (a rule's target, a mapping's poll, a
   * resource policy read for IAM): the service's own handler with a typed input, as the account's
   * root unless a principal is given. It passes no authorization or recording: the caller decides.
   * Throws ServiceError as the handler does; NotImplemented when the service or operation is not served.
   */
  async invoke<O = Record<string, unknown>>(
    service: string,
    operation: string,
    input: Record<string, unknown>,
    where: { account: string; region: string; principal?: Principal },
  ): Promise<O> {
    const handler = this.providers.get(service)?.[operation];
    if (!handler)
      throw new ServiceError('NotImplemented', `The operation ${operation} of service ${service} is not served by Nimbus.`, 501, {}, false);
    const ctx: RequestContext = {
      requestId: randomUUID(),
      service,
      operation,
      account: where.account,
      region: where.region,
      principal: where.principal ?? rootPrincipal(where.account),
      headers: {},
      clock: this.clock,
    };
    return (await handler(input, ctx)) as O;
  }

  reset(): void {
    this.engine.reset();
    this.credentials.forget();
    this.clock.reset();
    this.faults.forget();
    this.timeline.clear();
  }

  /** Runs `fn` when this runtime closes (timers, child processes, servers a service started). */
  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  close(): void {
    for (const fn of this.closers.splice(0)) {
      try {
        fn();
      } catch (e) {
        this.log.error(`closing: ${(e as Error)?.stack ?? e}`);
      }
    }
    this.engine.close();
  }
}

/** A service Nimbus serves: its model name, how to build its provider, and its wire dialect. */
export interface ServiceDefinition extends ServiceProfile {
  name: string;
  create(rt: Runtime): Provider;
}
