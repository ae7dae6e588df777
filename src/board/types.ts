import type { AgentTally } from "./agent-counters.js";
import type { Category, Tally, TopFlow } from "./counts.js";

/**
 * The policy board's page model: plain data, embedded as JSON in the page and rendered in the browser. Every count
 * here comes from the replay `simulate` runs (totals) and the impact comparison `review` runs (what a PR changes).
 */
export type BoardChange = "added" | "changed" | "removed" | "moved" | "renamed";

export interface BoardRule {
  direction: "ingress" | "egress";
  index: number;
  action: string;
  /** Field path in the file, e.g. `spec.ingress[0]` (the review names rules by it). */
  path: string;
  /** 1-based line of the rule in the policy's file (0 when unknown). */
  line: number;
  words: string;
  /** Absent when every count is zero (the page reads absent as zero). */
  counts?: Record<Category, Tally>;
  /** Connections the node agents counted at this rule (`--counters`); absent when none. */
  agent?: AgentTally;
  /** Never decided or passed a flow (nor, with counters, a connection), though its policy was hit (a candidate for removal). */
  noHits: boolean;
}

export interface BoardPolicy {
  /** `Kind/namespace/name`: the identity. */
  id: string;
  kind: string;
  namespace?: string;
  name: string;
  /** As Calico's flow logs name it for the chosen version, e.g. `np:shop/web`. */
  flowName: string;
  tier: string;
  order?: number;
  staged: boolean;
  kubernetes: boolean;
  /** The policy's selector as written, and after Calico's namespace scoping. */
  selector: string;
  effectiveSelector: string;
  labels: Record<string, string>;
  directions: string[];
  /** Inventory pods the policy applies to; undefined without an inventory. */
  endpoints?: number;
  /** Absent when every count is zero. */
  counts?: Record<Category, Tally>;
  /** Connections the node agents counted for the policy, its rules and end of tier (`--counters`); absent when none. */
  agent?: AgentTally;
  /** No flow of the snapshot (and no counted connection) hit the policy at all (undefined without flows or counters). */
  noHits?: boolean;
  /** UNIX seconds of the newest record that hit it, when the records carry times. */
  lastHit?: number;
  /** Last hit older than the unused window before the snapshot's newest record. */
  stale?: boolean;
  rules: BoardRule[];
  file: string;
  line: number;
  yaml: string;
  /** Where it applies and its tier, in words; the page adds each rule's `words` and how each direction ends. */
  explanation: string[];
  /** What traffic no rule matched meets, per direction the policy governs. */
  endOfRules: string[];
  topFlows: TopFlow[];
  change?: BoardChange;
  changeSummary?: string;
  /** With --repo/--base/--head: flows this change newly denies or newly allows, decided by this policy at head. */
  newlyDenied?: Tally;
  newlyAllowed?: Tally;
}

export interface BoardTier {
  name: string;
  order?: number;
  defaultAction: string;
  /** Records whose verdict this tier decided (simulate's "deciding tier"). */
  decided?: Tally;
  policies: BoardPolicy[];
}

export interface BoardTotals {
  records: number;
  flows: number;
  allow: Tally;
  deny: Tally;
  pendingAllow: Tally;
  pendingDeny: Tally;
  decidingTier: Record<string, Tally>;
  skippedLines: number;
}

export interface BoardModel {
  title: string;
  /** What the page was built from, for the header. */
  sources: string[];
  tiers: BoardTier[];
  totals?: BoardTotals;
  /** With --repo/--base/--head: the review's impact totals. */
  change?: { base: string; head: string; newlyDenied: Tally; newlyAllowed: Tally; added: number; changed: number; removed: number };
  unusedDays: number;
  /**
   * With agent counters: where they came from, how many nodes (or reports), the ruleset hashes, the connections, and
   * the counted policies (flow-log names) no policy on the board has: counters of another ruleset or Calico version.
   */
  agent?: { sources: string[]; reports: number; rulesets: string[]; connections: number; notOnBoard: string[] };
  /** ISO time of the newest record (the reference for "last hit"). */
  newestRecord?: string;
  policyCount: number;
}
