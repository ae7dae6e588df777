import { DEFAULT_LOAD_LIMITS, joinPath, loadText } from "../policy/index.js";
import { promotionRecord } from "./promotions.js";
import type { PromotionRecord } from "./types.js";

/**
 * The controller's Kubernetes Events as promotion records: `kubectl get events -A -o json` (a `List` of `Event`s,
 * core/v1 or events.k8s.io/v1), read by `tierguard log --events`. The controller marks each Event it records for
 * a promotion with PROMOTION_EVENT's annotation, whose value is the `PromotionRecord` as JSON (the same object it
 * writes as a log line), and gives it a reason a person reads in `kubectl describe`. Events without the annotation
 * (everything else in the cluster) are skipped; a marked Event whose record is wrong is a problem at its line.
 */
export const PROMOTION_EVENT = {
  /** metadata.annotations key holding the PromotionRecord as JSON. */
  annotation: "tierguard.dev/promotion",
  /** Event `reason` by outcome; any other outcome: `Promotion<Outcome>`. */
  reasons: { succeeded: "Promoted", failed: "PromotionFailed", superseded: "PromotionSuperseded" } as Record<string, string>,
} as const;

/** What the controller puts on an Event for a record: its reason, type and annotation (the message is its own). */
export function promotionEventFields(record: PromotionRecord): { reason: string; type: "Normal" | "Warning"; annotations: Record<string, string> } {
  const o = record.outcome;
  const reason = PROMOTION_EVENT.reasons[o] ?? `Promotion${o.charAt(0).toUpperCase()}${o.slice(1).replace(/[^A-Za-z0-9]/g, "")}`;
  return { reason, type: o === "succeeded" || o === "superseded" ? "Normal" : "Warning", annotations: { [PROMOTION_EVENT.annotation]: JSON.stringify(record) } };
}

export interface EventProblem {
  line: number;
  col: number;
  /** Field path in the file, e.g. `items[3].metadata.annotations`. */
  path: string;
  message: string;
}

/** A dump of Events can be large: far above the policy loader's per-file limit, still bounded. */
const EVENT_LIMITS = { ...DEFAULT_LOAD_LIMITS, maxFileBytes: 512 * 1024 * 1024, maxDocumentBytes: 512 * 1024 * 1024, maxNodes: 50_000_000 };

export function parsePromotionEvents(text: string, file: string): { records: PromotionRecord[]; problems: EventProblem[]; skipped: number } {
  const records: PromotionRecord[] = [];
  const problems: EventProblem[] = [];
  let skipped = 0;
  const loaded = loadText(file, text, EVENT_LIMITS);
  for (const d of loaded.diagnostics) problems.push({ line: d.line, col: d.col, path: d.path, message: d.message });
  for (const doc of loaded.documents) {
    const v = doc.value as { kind?: unknown; items?: unknown } | null;
    const at = (path: string, message: string) => problems.push({ ...doc.source.at(path), path, message });
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      at("", "expected the JSON of `kubectl get events -o json` (a List of Events) or one Event");
      continue;
    }
    const items: Array<[unknown, string]> = Array.isArray(v.items) ? v.items.map((e, i) => [e, `items[${i}]`]) : v.kind === "Event" ? [[v, ""]] : [];
    if (items.length === 0 && !Array.isArray(v.items)) at("", `expected a List of Events (with "items") or an Event, not kind ${JSON.stringify(v.kind ?? null)}`);
    for (const [event, path] of items) {
      const r = fromEvent(event);
      if (r === undefined) skipped++;
      else if ("error" in r) at(path === "" ? r.path : `${path}.${r.path}`, r.error);
      else records.push(r.record);
    }
  }
  return { records, problems, skipped };
}

type FromEvent = { record: PromotionRecord } | { error: string; path: string } | undefined;

function fromEvent(e: unknown): FromEvent {
  const meta = (e as { metadata?: { annotations?: unknown } } | null)?.metadata;
  const annotations = meta?.annotations as Record<string, unknown> | undefined;
  const raw = annotations?.[PROMOTION_EVENT.annotation];
  if (raw === undefined) return undefined;
  const path = joinPath("metadata.annotations", PROMOTION_EVENT.annotation);
  if (typeof raw !== "string") return { error: `the ${PROMOTION_EVENT.annotation} annotation must be a string holding a promotion record as JSON`, path };
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch (err) {
    return { error: `the ${PROMOTION_EVENT.annotation} annotation is not JSON: ${(err as Error).message}`, path };
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) return { error: `the ${PROMOTION_EVENT.annotation} annotation must hold a JSON object`, path };
  // The Event's own time stands in when the record has none (an Event is timestamped by the API server anyway).
  const rec = { ...(o as Record<string, unknown>) };
  rec.time ??= eventTime(e as Record<string, any>);
  const r = promotionRecord(rec);
  return "error" in r ? { error: `${PROMOTION_EVENT.annotation}: ${r.error}`, path } : r;
}

/** core/v1 and events.k8s.io/v1 name the times differently; the latest one given wins. */
function eventTime(e: Record<string, any>): string | undefined {
  const t = e.eventTime ?? e.series?.lastObservedTime ?? e.lastTimestamp ?? e.deprecatedLastTimestamp ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return typeof t === "string" ? t : undefined;
}
