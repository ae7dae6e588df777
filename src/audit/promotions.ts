import type { AuditEntry, HistoryCommit, PromotionRecord } from "./types.js";

/**
 * The controller's promotion records joined to the audit log: each change learns when it reached which
 * environment. The input is JSON Lines, one record per promotion attempt:
 *   {"commit": "<sha>", "environment": "prod", "time": "2026-05-01T12:00:00Z", "outcome": "succeeded"}
 * A successful promotion of commit P delivers every change of P's ancestry; the first such promotion per
 * environment (by time) is when a change reached it. A failed one is shown on the commit it tried to promote.
 */
export interface PromotionProblem {
  line: number;
  message: string;
}

const SHA = /^[0-9a-f]{7,64}$/;

export function parsePromotions(text: string): { records: PromotionRecord[]; problems: PromotionProblem[] } {
  const records: PromotionRecord[] = [];
  const problems: PromotionProblem[] = [];
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
    for (const k of ["commit", "environment", "time", "outcome"]) {
      if (typeof o[k] !== "string" || o[k] === "") return void problems.push({ line, message: `"${k}" must be a non-empty string` });
    }
    if (!SHA.test(o.commit as string)) return void problems.push({ line, message: `"commit" must be a commit id (hex), not "${o.commit}"` });
    if (Number.isNaN(Date.parse(o.time as string))) return void problems.push({ line, message: `"time" must be an ISO 8601 time, not "${o.time}"` });
    records.push({ commit: o.commit as string, environment: o.environment as string, time: o.time as string, outcome: o.outcome as string });
  });
  return { records, problems };
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
  const note = (commit: string, text: string) => facts.set(commit, [...(facts.get(commit) ?? []), text]);
  const reached = new Map<string, Set<string>>();
  const ordered = [...records].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  for (const r of ordered) {
    const sha = full(r.commit);
    if (!sha) {
      unknown.push(r);
      continue;
    }
    if (r.outcome !== "succeeded") {
      note(sha, `promotion to ${r.environment} ${r.outcome} at ${r.time}`);
      continue;
    }
    // Each environment's delivered set stays closed under ancestry, so the walk stops at what was delivered before.
    let done = reached.get(r.environment);
    if (!done) reached.set(r.environment, (done = new Set()));
    const stack = [sha];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (done.has(id)) continue;
      done.add(id);
      note(id, `reached ${r.environment} at ${r.time}`);
      stack.push(...(byId.get(id)?.parents ?? []));
    }
  }
  for (const e of entries) e.details.push(...(facts.get(e.commit) ?? []));
  return unknown;
}
