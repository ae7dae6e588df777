/**
 * The impact model: flows whose verdict a policy change alters, aggregated by workload pair, ranked by volume.
 * Built by the replay of a flow snapshot through the base and head policy sets (revisions.ts); rendered by
 * src/report. Re-exported by src/review/types.ts as part of the review model.
 */
/** One end of an aggregated flow: namespace plus aggregated workload name, or an address / network set. */
export interface FlowVerdictSide {
  verdict: "allow" | "deny";
  /** The deciding hit as Calico's flow logs print it (without the index), e.g. `security|gnp:allow-dns|allow|0`. */
  decidedBy: string;
  tier: string;
  /** `Kind ns/name` of the deciding policy; undefined for the namespace profile. */
  policy?: string;
  /** Rule index; -1 for end of tier; undefined for the profile. */
  rule?: number;
  direction?: "ingress" | "egress";
}

export interface ImpactFlow {
  src: string;
  dst: string;
  port?: number;
  protocol: string;
  /** Flow records aggregated here (each connection counted once even when both ends reported it). */
  records: number;
  /** `num_flows` summed: connections. */
  flows: number;
  bytes: number;
  before: FlowVerdictSide;
  after: FlowVerdictSide;
  /** Set when either verdict depended on facts the snapshot does not give. */
  uncertain?: string[];
}

export interface ImpactTotals {
  records: number;
  flows: number;
  /** Input lines that could not be read, and why (first few). */
  skippedLines: number;
  problems: string[];
  unresolved: { records: number; reasons: Record<string, number> };
  uncertain: { records: number };
}

export interface ImpactReport {
  /** Where the snapshot came from (base-revision path, URL, or a file given on the command line). */
  sources: string[];
  /** Allowed at base, denied at head: production traffic this change would break. Most volume first. */
  newlyDenied: ImpactFlow[];
  /** Denied at base, allowed at head: traffic this change would let through. Most volume first. */
  newlyAllowed: ImpactFlow[];
  /** Flows whose pending (staged-as-enforced) verdict changes. */
  pendingChanged: ImpactFlow[];
  /** Policies (and rules) of the head revision no flow in the snapshot hit: `Kind ns/name` and `... rule N`. */
  zeroHitPolicies: string[];
  totals: ImpactTotals;
}

