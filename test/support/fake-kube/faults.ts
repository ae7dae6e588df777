import { defaultFault, StatusError } from "./status.js";

/**
 * Fault injection: a queue of canned error answers per (method, path pattern), each served `times` times before
 * the request reaches the store again. Faults match in the order they were added; a watch request matches only a
 * fault with `watch: true`, so a fault on a list does not break the informer's watch and vice versa.
 */
export interface FaultSpec {
  /** GET, POST, PUT, PATCH, DELETE; undefined matches every method. */
  method?: string;
  /** The request path (no query): an exact string, or a RegExp tested against it. */
  path: string | RegExp;
  code: number;
  reason?: string;
  message?: string;
  /** Seconds, sent as the Retry-After header (and details.retryAfterSeconds), e.g. with 429 or 503. */
  retryAfter?: number;
  /** How many requests it answers (default 1). */
  times?: number;
  /** True: only watch requests (`?watch=1`); false or undefined: only non-watch requests. */
  watch?: boolean;
}

export interface MatchedRequest {
  method: string;
  path: string;
  watch: boolean;
}

export class Faults {
  private readonly queue: (FaultSpec & { left: number })[] = [];

  add(spec: FaultSpec): this {
    this.queue.push({ ...spec, left: spec.times ?? 1 });
    return this;
  }

  /** Calico 3.32+'s tiered-RBAC admission webhook refusing a write (403, the webhook's message). */
  webhookDenied(spec: { method?: string; path: string | RegExp; user?: string; tier?: string; times?: number }): this {
    const user = spec.user ?? "system:serviceaccount:tierguard:tierguard";
    const tier = spec.tier ?? "security";
    return this.add({
      method: spec.method,
      path: spec.path,
      times: spec.times,
      code: 403,
      reason: "Forbidden",
      message: `admission webhook "tiered-rbac.projectcalico.org" denied the request: user "${user}" cannot write policies in tier "${tier}": requires get on tiers.projectcalico.org "${tier}"`,
    });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** How many injected answers are still queued. */
  get pending(): number {
    return this.queue.reduce((n, f) => n + f.left, 0);
  }

  /** The fault this request triggers (consuming one of its answers), as the error to answer with. */
  take(req: MatchedRequest): StatusError | undefined {
    const i = this.queue.findIndex((f) => (f.method === undefined || f.method === req.method) && (typeof f.path === "string" ? f.path === req.path : f.path.test(req.path)) && Boolean(f.watch) === req.watch);
    if (i < 0) return undefined;
    const f = this.queue[i];
    if (--f.left === 0) this.queue.splice(i, 1);
    const d = defaultFault(f.code);
    const headers: Record<string, string> = f.retryAfter !== undefined ? { "Retry-After": String(f.retryAfter) } : {};
    const details = f.retryAfter !== undefined ? { retryAfterSeconds: f.retryAfter } : undefined;
    return new StatusError(f.code, f.reason ?? d.reason, f.message ?? d.message, details, headers);
  }
}
