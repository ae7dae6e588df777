import type { FlowVerdictSide } from "../../impact/index.js";

/**
 * The connectivity diff's model: what becomes reachable or unreachable between groups of endpoints, whether or not
 * any recorded flow exercised it. Built by `connectivityDiff` (diff.ts) from the review context; rendered by
 * src/report. `before` and `after` name the deciding rule as the impact replay does.
 */
export type GroupKind = "workload" | "namespace" | "network" | "anywhere";

/**
 * `enforced`: the verdict the cluster enforces changes. `pending`: the verdict with staged policies treated as
 * enforced (Calico's pending verdict) changes where the enforced one does not change the same way, i.e. a staged
 * policy of either revision would newly open or close the pair once enforced.
 */
export type ConnectivityMode = "enforced" | "pending";

export interface EndpointGroup {
  kind: GroupKind;
  /** Workload and namespace groups. */
  namespace?: string;
  /** A workload group: the pods' own identifying labels (implicit and per-revision labels left out). */
  labels?: Record<string, string>;
  /** A network group: the network sets (`GlobalNetworkSet name`, `NetworkSet ns/name`) or CIDR it lies in. */
  network?: string;
  /** The group in words, e.g. `shop/{app=db}`, `namespace shop`, `anywhere outside the cluster`. */
  name: string;
}

export interface ConnectivityChange {
  source: EndpointGroup;
  destination: EndpointGroup;
  /** `TCP`, `UDP`, ... or `any other protocol` / `any` when no rule tells protocols apart. */
  protocol: string;
  /** Destination ports in Calico's syntax (`5432`, `8000:8080`); `["1:65535"]` for any port; empty for protocols without ports. */
  ports: string[];
  /**
   * Source ports in Calico's syntax, only when a rule of either revision names source ports for the protocol and
   * the change holds for some source ports only (e.g. `["53"]`); absent means any source port.
   */
  sourcePorts?: string[];
  /**
   * Whether a recorded flow of the snapshot falls into the change: its source and destination in the change's
   * endpoint classes, its protocol and destination port in the change's port classes (exercised.ts says how the
   * replay's flows are placed).
   */
  exercised: boolean;
  before: FlowVerdictSide;
  after: FlowVerdictSide;
  /** Set when either verdict depended on facts the inputs do not give. */
  uncertain?: string[];
  /** Which verdict changes: the enforced one, or only the pending one (staged policies). */
  mode: ConnectivityMode;
  /** How broad the change is (pods on each side times ports; the internet counts as a million): the ranking key. */
  breadth: number;
}

export interface ConnectivityReport {
  /** Denied at base, allowed at head. Broadest first. */
  newlyReachable: ConnectivityChange[];
  /** Allowed at base, denied at head. Broadest first. */
  newlyUnreachable: ConnectivityChange[];
  /** What was compared: endpoint classes on each side, port classes, and evaluations made. */
  stats: { endpointClasses: number; changedClasses: number; portClasses: number; evaluations: number };
}
