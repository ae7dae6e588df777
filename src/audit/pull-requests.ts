import type { HistoryCommit } from "./types.js";

/**
 * Which pull request brought each commit in. A squash or rebase merge names it in the title ("Add the cart policy
 * (#12)"); a merge commit ("Merge pull request #12 from ...") brings in every commit of its second parent's side
 * that the first parent did not already have. The first-parent chain is walked oldest first, marking what each
 * step makes reachable; the marked set stays closed under ancestry, so each commit is visited once.
 */
const MERGE_TITLE = /^Merge pull request #(\d+)\b/;
const SQUASH_TITLE = /\(#(\d+)\)\s*$/;

export function prNumberFromTitle(subject: string): number | null {
  const m = MERGE_TITLE.exec(subject) ?? SQUASH_TITLE.exec(subject);
  return m ? Number(m[1]) : null;
}

/** Commit → pull request number, for the commits of `history` (newest first, as `git log` lists them). */
export function pullRequestsOf(history: readonly HistoryCommit[]): Map<string, number> {
  const byId = new Map(history.map((c) => [c.commit, c]));
  const prs = new Map<string, number>();
  for (const c of history) {
    const own = c.parents.length <= 1 ? prNumberFromTitle(c.subject) : null;
    if (own !== null) prs.set(c.commit, own);
  }
  const chain: HistoryCommit[] = [];
  for (let c = history[0]; c; c = byId.get(c.parents[0])!) {
    chain.push(c);
    if (c.parents.length === 0) break;
  }
  const marked = new Set<string>();
  for (const step of chain.reverse()) {
    marked.add(step.commit);
    if (step.parents.length < 2) continue;
    const pr = prNumberFromTitle(step.subject);
    const stack = step.parents.slice(1);
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (marked.has(id)) continue;
      marked.add(id);
      if (pr !== null && !prs.has(id)) prs.set(id, pr);
      const c = byId.get(id);
      if (c) stack.push(...c.parents);
    }
  }
  return prs;
}
