import { rfc3339 } from "./lifecycle.js";
import type { ObserveStats } from "./observe.js";
import type { Proof } from "./prove.js";
import type { RecommendResult } from "./recommend.js";

/**
 * What a run did, in words: for the terminal (`text`) and for the comment at the top of each policy (`comment`),
 * so the proof and the exclusions travel with the YAML into the pull request.
 */
export function summaryLines(result: RecommendResult, proof: Proof, stats: ObserveStats, tuples: number): { text: string[]; comment: string[] } {
  const { classification: c, recommendation: rec } = result;
  const higher = c.excluded.filter((e) => e.reason.includes("higher tier")).reduce((n, e) => n + e.records, 0);
  const below = c.excluded.filter((e) => !e.reason.includes("higher tier")).reduce((n, e) => n + e.records, 0);
  const proofLine = `Proof: replaying ${proof.tuples} distinct flow tuples with the recommendation enforced denies ${proof.newlyDenied.records} flow records that are allowed today (${proof.allowed.records} allowed records replayed).`;
  const comment = [
    proofLine,
    `Excluded from learning: ${higher} flow records already decided by a higher tier (allowed or denied), ${below} denied today below tier ${rec.tier.name}.`,
  ];
  const text = [
    `read ${stats.records} flow records${stats.outsideWindow > 0 ? ` (${stats.outsideWindow} outside the time window, not learned)` : ""} into ${tuples} distinct flow tuples`,
    `learned ${c.learned.length} flow directions for ${result.namespaces.length} namespaces (${result.namespaces.join(", ") || "none"}) in tier ${rec.tier.name}${rec.tier.emit ? ` (new, order ${rec.tier.order})` : ""}`,
    ...(c.excluded.length > 0 ? ["excluded from learning:"] : []),
    ...c.excluded.map((e) => `  ${e.direction}: ${e.records} records (${e.connections} connections) ${e.reason}`),
    ...(c.uncertain > 0 ? [`${c.uncertain} flow tuples had verdicts that depended on facts the records do not give (see tierguard simulate)`] : []),
    ...rec.policies.map((p) => `${p.namespace}/${p.name}: ${p.status}, ${p.ingress.length - 1} ingress and ${p.egress.length - 1} egress rules`),
    ...staleRules(rec).map((s) => `stale, offered for removal: ${s.policy} ${s.direction} rule ${s.rule} (last flow ${s.lastSeen})`),
    proofLine,
    ...rec.warnings.map((w) => `warning: ${w}`),
  ];
  return { text, comment };
}

export interface StaleRule {
  policy: string;
  direction: "ingress" | "egress";
  /** Index in the policy's rules. */
  rule: number;
  lastSeen: string;
}

/** The rules no flow used for --stale-after: kept in the policy (so the proof holds), listed for removal. */
export function staleRules(rec: RecommendResult["recommendation"]): StaleRule[] {
  const out: StaleRule[] = [];
  for (const p of rec.policies) {
    for (const direction of ["ingress", "egress"] as const) {
      p[direction].forEach((r, i) => {
        if (r.stale) out.push({ policy: `${p.namespace}/${p.name}`, direction, rule: i, lastSeen: rfc3339(r.why.last!) });
      });
    }
  }
  return out;
}
