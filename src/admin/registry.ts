// Admin routes services add under /_nimbus/<service>/ (and /_localstack/), owned by the runtime.

/** A route's request: JSON in the reply unless body is a string or Buffer. */
export interface AdminRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
}
export interface AdminReply {
  status?: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}
export type AdminRoute = (req: AdminRequest) => AdminReply | Promise<AdminReply>;

export class AdminRoutes {
  private readonly routes = new Map<string, AdminRoute>();

  /** `rt.admin.route('GET /_nimbus/sns/outbox', handler)`; the key is `METHOD /path`, no trailing slash. */
  route(route: string, handler: AdminRoute): void {
    this.routes.set(route, handler);
  }

  /** The route, or the one ending in `/*` for its parent path (`DELETE /_nimbus/faults/*` answers `DELETE /_nimbus/faults/<id>`). */
  find(route: string): AdminRoute | undefined {
    return this.routes.get(route) ?? this.routes.get(`${route.slice(0, route.lastIndexOf('/'))}/*`);
  }

  list(): string[] {
    return [...this.routes.keys()];
  }
}
