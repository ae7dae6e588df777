import type { Rule } from "../policy/index.js";
import type { CalicoVersion } from "../policy/index.js";
import type { LifecycleOptions, Status } from "./lifecycle.js";
import type { WorkloadIdentity } from "./identity.js";

/** The recommendation model: staged policies with the flows behind each rule, before rendering. */
export interface RecommendOptions {
  tier: string;
  level: "namespace" | "workload";
  /** Rules per direction before external addresses are merged into a NetworkSet. */
  maxRules: number;
  version: CalicoVersion;
  lifecycle: LifecycleOptions;
  /** Cluster DNS: always allowed on UDP and TCP 53. */
  dns: { namespace: string; key: string; value: string };
}

export const DEFAULT_DNS = { namespace: "kube-system", key: "k8s-app", value: "kube-dns" } as const;

/** The flows that justify a rule. */
export interface Justification {
  records: number;
  connections: number;
  /** UNIX seconds. */
  first?: number;
  last?: number;
  /** One flow, e.g. `boutique/frontend-7d9c-x2 -> boutique/cartservice-5c4f-q7:7070/TCP`. */
  example?: string;
  /** Rank of the example: the busiest tuple, then the earliest, then the smallest text. */
  exampleRank?: [number, number, string];
  /** The latest time a new element (peer, port) of the rule was first seen. */
  lastNew?: number;
}

export interface RecRule {
  body: Rule;
  why: Justification;
  /** Set for rules that are there whatever the flows say (DNS). */
  note?: string;
  stale: boolean;
}

export interface RecPolicy {
  namespace: string;
  name: string;
  selector: string;
  /** Workload identities chosen in the namespace, with why, for the comment. */
  identities: WorkloadIdentity[];
  ingress: RecRule[];
  egress: RecRule[];
  status: Status;
  /** UNIX seconds. */
  lastChange: number;
}

export interface RecNetworkSet {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  nets: string[];
}

export interface Recommendation {
  tier: { name: string; order: number; emit: boolean };
  policies: RecPolicy[];
  networkSets: RecNetworkSet[];
  /** Sorted, for stderr. */
  warnings: string[];
}
