// Per-account, per-region stores: `stores.get(account, region)` gives a service its state there.
import type { Collection, Engine } from './engine.js';

export interface StoreScope {
  account: string;
  region: string;
  /** a collection private to this service, account and region */
  collection<T>(name: string): Collection<T>;
}

export class Stores<S> {
  private readonly cache = new Map<string, S>();

  constructor(
    private readonly engine: Engine,
    private readonly service: string,
    private readonly make: (scope: StoreScope) => S,
  ) {}

  get(account: string, region: string): S {
    const id = `${account}/${region}`;
    let store = this.cache.get(id);
    if (!store) {
      const ns = `${this.service}/${id}/`;
      store = this.make({ account, region, collection: <T>(name: string) => this.engine.collection<T>(ns + name) });
      this.cache.set(id, store);
    }
    return store;
  }

  /**
   * State of this service that belongs to no one account or region (an index across all of them,
   * a queue of deliveries): the explicit system scope, never a raw engine namespace.
   */
  system(): S {
    return this.get('system', 'global');
  }

  /** State of this service shared by all regions of an account (IAM, S3 bucket names). */
  global(account: string): S {
    return this.get(account, 'global');
  }
}
