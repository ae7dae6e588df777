import { staleRules } from "../recommend/index.js";
import { GITHUB_COMMENT_LIMIT, truncateMarkdown } from "../report/index.js";
import type { RecommendOutcome } from "./recommend-run.js";

/**
 * The recommendation pull request's body: what is recommended and why, how it was proven harmless (the replay),
 * what was left out of learning, and how the pull request goes on (reviewed like any other). The marker lets the
 * next run find and update it; everything past the summary folds into `<details>` (STYLE.md habit 10).
 */
export const RECOMMENDATION_MARKER = "<!-- tierguard:recommendation -->";

type Recommended = Extract<RecommendOutcome, { ok: true }>;

export function recommendationBody(rec: Recommended, trigger: string): string {
  const { run } = rec;
  const { result, proof } = run;
  const tier = result.recommendation.tier;
  const policies = result.recommendation.policies;
  const lines = [
    RECOMMENDATION_MARKER,
    `### tierguard: recommended isolation policies`,
    "",
    `Asked by ${trigger}. Learnt from ${rec.flows.map((f) => `\`${f}\``).join(", ")} against the policies of \`${rec.at.ref}\` at ${rec.at.sha.slice(0, 12)}: ` +
      `${policies.length} staged polic${policies.length === 1 ? "y" : "ies"} in tier \`${tier.name}\`${tier.emit ? ` (a new Tier, order ${tier.order}, after the repository's tiers)` : ""}, ` +
      `written to \`${rec.files.map((f) => f.path).join("`, `")}\`.`,
    "",
    "#### Proven harmless",
    `- **Replay:** the ${proof.tuples} distinct flow tuples of the snapshot (${proof.allowed.records} records allowed today) were replayed through today's policies and through today's policies with this recommendation **enforced**: it denies **${proof.newlyDenied.records}** flow records that are allowed today.`,
    "- **Loaded back:** the recommended YAML was loaded and validated by tierguard's own loader with no error, as the review will load it.",
    `- **Learnt only from traffic that reaches \`${tier.name}\`:** flows a higher tier already allows or denies are left out, so a recommendation never restates or contradicts a guard rail.`,
    "- The policies are **staged** (`StagedNetworkPolicy`): merging this pull request enforces nothing; the controller stages them, and Calico reports what they would do before anyone promotes them.",
    "",
    "| policy | status | ingress rules | egress rules |",
    "|---|---|---:|---:|",
    ...policies.map((p) => `| \`${p.namespace}/${p.name}\` | ${p.status} | ${p.ingress.length} | ${p.egress.length} |`),
    "",
    "<details><summary>What the run did, and each rule's flows</summary>",
    "",
    "```text",
    ...run.summary.text,
    "```",
    "",
    "Each rule in the files carries a comment naming the flows that justify it (connections, records, first and last seen, an example).",
    ...staleRules(result.recommendation).map((s) => `- Stale, offered for removal: ${s.policy} ${s.direction} rule ${s.rule} (last flow ${s.lastSeen}).`),
    ...rec.notes.map((n) => `- ${n}`),
    "</details>",
    "",
    `**Next step:** review this pull request like any other: tierguard reviews it, and the owners of tier \`${tier.name}\` in tierguard.yaml approve it. Once merged, the controller stages and then promotes it. ` +
      "Ask again with `/tierguard recommend <namespace>` (or wait for the schedule) to refresh it from newer flows.",
  ];
  return truncateMarkdown(lines.join("\n"), GITHUB_COMMENT_LIMIT - 500, { note: "_Cut to fit GitHub's limit: run `tierguard recommend` locally for the whole account._", keepTail: true });
}
