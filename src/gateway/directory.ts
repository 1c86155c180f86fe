// The served services' profiles, looked up by name, and the routing facts they declare (which
// service answers a request that names none, which path shapes an unsigned query request follows).
import type { ServiceDefinition } from '../runtime.js';
import type { ServiceProfile } from '../services/types.js';

const NONE: ServiceProfile = {};

export class Directory {
  private readonly profiles = new Map<string, ServiceProfile>();
  /** the service a request that names none is for (the one whose profile says `routing.fallback`) */
  readonly fallback: string;
  /** unsigned query requests on these paths go to these services */
  readonly queryPaths: [RegExp, string][] = [];

  constructor(services: readonly ServiceDefinition[]) {
    for (const s of services) {
      this.profiles.set(s.name, s);
      if (s.routing?.queryPath) this.queryPaths.push([s.routing.queryPath, s.name]);
    }
    this.fallback = services.find((s) => s.routing?.fallback)?.name ?? 'unknown';
  }

  /** The profile of a service; an empty one (the protocol's defaults) for a service not served. */
  profile(service: string | undefined): ServiceProfile {
    return (service !== undefined && this.profiles.get(service)) || NONE;
  }

  /** True when a served service reads the Host as naming one of its resources (a virtual-hosted bucket). */
  namesResource(host: string | undefined): boolean {
    for (const p of this.profiles.values()) if (p.virtualHost?.(host)) return true;
    return false;
  }
}
