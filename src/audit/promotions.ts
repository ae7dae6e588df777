import type { AuditEntry, HistoryCommit, PromotionRecord } from "./types.js";

/**
 * The controller's promotion records joined to the audit log: each change learns when it reached which
 * environment. The input is the controller's JSON log lines (one `PromotionRecord` per promotion attempt or per
 * write; other log lines, without `commit` and `environment`, are skipped) or its Kubernetes Events (events.ts).
 * A successful promotion of commit P delivers every change of P's ancestry; the first such promotion per
 * environment (by time) is when a change reached it. A failed one is shown on the commit it tried to promote.
 */
export interface PromotionProblem {
  line: number;
  message: string;
}

const SHA = /^[0-9a-f]{7,64}$/;

export function parsePromotions(text: string): { records: PromotionRecord[]; problems: PromotionProblem[]; skipped: number } {
  const records: PromotionRecord[] = [];
  const problems: PromotionProblem[] = [];
  let skipped = 0;
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      return void problems.push({ line, message: `not JSON: ${(e as Error).message}` });
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) return void problems.push({ line, message: "expected a JSON object" });
    const o = v as Record<string, unknown>;
    if (o.commit === undefined && o.environment === undefined) return void skipped++;
    const r = promotionRecord(o);
    if ("error" in r) problems.push({ line, message: r.error });
    else records.push(r.record);
  });
  return { records, problems, skipped };
}

/** One record checked field by field: the first wrong field, named, or the record with only its known fields. */
export function promotionRecord(o: Record<string, unknown>): { record: PromotionRecord } | { error: string } {
  for (const k of ["commit", "environment", "time", "outcome"]) {
    if (typeof o[k] !== "string" || o[k] === "") return { error: `"${k}" must be a non-empty string` };
  }
  if (!SHA.test(o.commit as string)) return { error: `"commit" must be a commit id (hex), not "${o.commit}"` };
  if (Number.isNaN(Date.parse(o.time as string))) return { error: `"time" must be an ISO 8601 time, not "${o.time}"` };
  const record: PromotionRecord = { commit: o.commit as string, environment: o.environment as string, time: o.time as string, outcome: o.outcome as string };
  if (o.pr !== undefined && o.pr !== null) {
    const pr = typeof o.pr === "string" && /^\d+$/.test(o.pr) ? Number(o.pr) : o.pr;
    if (typeof pr !== "number" || !Number.isSafeInteger(pr) || pr < 1) return { error: `"pr" must be a pull-request number, not ${JSON.stringify(o.pr)}` };
    record.pr = pr;
  }
  for (const k of ["cluster", "author", "kind", "name", "verb", "reason"] as const) {
    if (o[k] === undefined || o[k] === null) continue;
    if (typeof o[k] !== "string") return { error: `"${k}" must be a string, not ${JSON.stringify(o[k])}` };
    record[k] = o[k] as string;
  }
  if (o.namespace !== undefined) {
    if (o.namespace !== null && typeof o.namespace !== "string") return { error: `"namespace" must be a string or null, not ${JSON.stringify(o.namespace)}` };
    record.namespace = o.namespace as string | null;
  }
  return { record };
}

/**
 * Adds `reached <env> at <time>` (or `promotion to <env> failed at <time>`) to each entry's details. Returns the
 * records whose commit is not in the history (a wrong repository, or history rewritten), for a warning.
 */
export function joinPromotions(entries: AuditEntry[], history: readonly HistoryCommit[], records: readonly PromotionRecord[]): PromotionRecord[] {
  const byId = new Map(history.map((c) => [c.commit, c]));
  const full = (sha: string) => (byId.has(sha) ? sha : history.find((c) => c.commit.startsWith(sha))?.commit);
  const unknown: PromotionRecord[] = [];
  const facts = new Map<string, string[]>();
  // The controller writes one record per write: the same fact many times over, said once.
  const note = (commit: string, text: string) => {
    const list = facts.get(commit) ?? facts.set(commit, []).get(commit)!;
    if (!list.includes(text)) list.push(text);
  };
  const reached = new Map<string, Set<string>>();
  const ordered = [...records].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  for (const r of ordered) {
    const sha = full(r.commit);
    if (!sha) {
      unknown.push(r);
      continue;
    }
    if (r.outcome !== "succeeded") {
      note(sha, `promotion to ${where(r)} ${r.outcome} at ${r.time}`);
      continue;
    }
    // Each environment's delivered set stays closed under ancestry, so the walk stops at what was delivered before.
    let done = reached.get(where(r));
    if (!done) reached.set(where(r), (done = new Set()));
    const stack = [sha];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (done.has(id)) continue;
      done.add(id);
      note(id, `reached ${where(r)} at ${r.time}`);
      stack.push(...(byId.get(id)?.parents ?? []));
    }
  }
  for (const e of entries) e.details.push(...(facts.get(e.commit) ?? []));
  return unknown;
}

/** `prod`, or `prod (cluster prod-eu)` when the record names the cluster: each cluster of an environment is reached on its own. */
function where(r: PromotionRecord): string {
  return r.cluster ? `${r.environment} (cluster ${r.cluster})` : r.environment;
}
