/**
 * The status lifecycle of Calico Enterprise's recommendations (PolicyRecommendationScope, calico-semantics §11),
 * replayed over the flows' own timeline so the result depends on the flows and never on the wall clock:
 * - the engine's first run reads `initialLookback` of history; it is taken to have run once that much history
 *   existed (the first flow's time plus the lookback), or at `now` when the flows cover less;
 * - it then runs every `interval`, and a spec learnt from a flow first seen at t changes at the first run after t;
 * - `Learning` until the spec has been unchanged for more than 2 × interval, `Stabilizing` until it has been
 *   unchanged for more than `stabilizationPeriod`, then `Stable`.
 * tierguard adds `Stale`: a rule no flow has used for `staleAfter` is offered for removal.
 */
export type Status = "Learning" | "Stabilizing" | "Stable";

export interface LifecycleOptions {
  /** UNIX seconds: the time of this run. */
  now: number;
  /** Seconds. Enterprise's defaults: 150 (2m30s), 86400 (24h), 600 (10m). */
  interval: number;
  initialLookback: number;
  stabilization: number;
  /** Seconds without a flow after which a rule is stale. */
  staleAfter: number;
}

export const ENTERPRISE_DEFAULTS = { interval: 150, initialLookback: 86_400, stabilization: 600 } as const;
export const DEFAULT_STALE_AFTER = 7 * 86_400;

/** When the engine first ran, given the earliest flow. */
export function firstRun(earliest: number | undefined, o: LifecycleOptions): number {
  return earliest === undefined ? o.now : Math.min(earliest + o.initialLookback, o.now);
}

/** The run at which a spec element first seen at `t` appeared. */
export function changedAt(t: number | undefined, start: number, o: LifecycleOptions): number {
  if (t === undefined || t <= start) return start;
  return Math.min(o.now, start + Math.ceil((t - start) / o.interval) * o.interval);
}

export function status(lastChange: number, o: LifecycleOptions): Status {
  const age = o.now - lastChange;
  if (age <= 2 * o.interval) return "Learning";
  return age <= o.stabilization ? "Stabilizing" : "Stable";
}

export function isStale(lastSeen: number | undefined, o: LifecycleOptions): boolean {
  return lastSeen !== undefined && o.now - lastSeen > o.staleAfter;
}

/** "2m30s", "24h", "1h30m", "7d", "90s" or bare seconds → seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === "") return undefined;
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  return d * 86_400 + h * 3600 + min * 60 + s;
}

/** RFC 3339 (UTC) or UNIX seconds → UNIX seconds; undefined when malformed. */
export function parseTime(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

export function rfc3339(t: number): string {
  return new Date(t * 1000).toISOString().replace(/\.000Z$/, "Z");
}
