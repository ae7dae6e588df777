import { buildResources, loadText, type Resource } from "../../src/policy/index.js";
import { parseCalicoVersion, type CalicoVersion } from "../../src/policy/version.js";
import {
  EngineUniverse,
  evaluateFlow,
  flowLogPolicyName,
  formatHits,
  parseIp,
  PolicySet,
  workloadEndpoint,
  type Endpoint,
  type FlowEvaluation,
  type NamedPort,
} from "../../src/engine/index.js";
import { parseFlowProtocol } from "../../src/engine/protocol.js";

/** Loads YAML text into resources, failing the test on any load or schema error. */
export function resources(yaml: string, file = "policies.yaml"): Resource[] {
  const loaded = loadText(file, yaml);
  const built = buildResources(loaded.documents);
  const errors = [...loaded.diagnostics, ...built.diagnostics].filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`fixture has errors: ${JSON.stringify(errors, null, 2)}`);
  return built.resources;
}

export interface Harness {
  set: PolicySet;
  universe: EngineUniverse;
  pod(namespace: string, labels: Record<string, string>, more?: PodExtras): Endpoint;
  external(ip: string): Endpoint;
  eval(src: Endpoint, dst: Endpoint, port?: number, protocol?: string): FlowEvaluation;
  /** Enforced verdict and the deciding hit strings, per direction. */
  trace(src: Endpoint, dst: Endpoint, port?: number, protocol?: string): TraceResult;
  /** Pending verdict (staged policies treated as enforced) and its hit strings, per direction. */
  pending(src: Endpoint, dst: Endpoint, port?: number, protocol?: string): TraceResult;
  /** Every policy of the set in evaluation order, as `<tier>|<flow-log policy name>`. */
  order(): string[];
  /** Tiers in evaluation order, as `<name>|<order>|<defaultAction>` (`-` for no order), `?` suffix when undefined. */
  tiers(): string[];
}

export interface TraceResult {
  verdict: string;
  egress?: string[];
  ingress?: string[];
}

export interface PodExtras {
  name?: string;
  ip?: string;
  serviceAccount?: string;
  serviceAccountLabels?: Record<string, string>;
  namespaceLabels?: Record<string, string>;
  namedPorts?: NamedPort[];
  /** Leave the pod's own labels unknown (aggregated flow record). */
  aggregated?: boolean;
  /** Leave namespace labels unknown, as without an inventory. */
  unknownNamespace?: boolean;
}

export interface HarnessOptions {
  version?: string;
  stagedDelete?: "preview" | "ignore";
  /** Namespace labels by namespace, as an inventory gives them: the implicit pcns. labels of namespaced network sets. */
  namespaceLabels?: Record<string, Record<string, string>>;
}

export function harness(yaml: string, options: HarnessOptions = {}): Harness {
  const universe = new EngineUniverse();
  const version = options.version ? (parseCalicoVersion(options.version) as CalicoVersion) : undefined;
  const namespaceLabels = options.namespaceLabels ? new Map(Object.entries(options.namespaceLabels)) : undefined;
  const set = new PolicySet(resources(yaml), { version, universe, stagedDelete: options.stagedDelete, namespaceLabels });
  const model = set.version.model;
  const h: Harness = {
    set,
    universe,
    pod(namespace, labels, more = {}) {
      return workloadEndpoint(
        {
          namespace,
          name: more.name ?? labels.app ?? "pod",
          podLabels: more.aggregated ? undefined : labels,
          serviceAccount: more.serviceAccount ?? "default",
          serviceAccountLabels: more.serviceAccountLabels ?? {},
          namespaceLabels: more.unknownNamespace ? undefined : (more.namespaceLabels ?? { "kubernetes.io/metadata.name": namespace }),
          ip: more.ip ? parseIp(more.ip) : undefined,
          namedPorts: more.namedPorts ?? [],
        },
        universe.labels,
      );
    },
    external(ip) {
      return { kind: "external", labels: universe.labels.intern({}), ip: parseIp(ip), name: ip };
    },
    eval(src, dst, port = 80, protocol = "TCP") {
      return evaluateFlow(set, { src, dst, dstPort: port, protocol: parseFlowProtocol(protocol)! });
    },
    trace(src, dst, port = 80, protocol = "TCP") {
      const r = h.eval(src, dst, port, protocol);
      return {
        verdict: r.verdict,
        egress: r.egress ? formatHits(r.egress.enforced.hits, model) : undefined,
        ingress: r.ingress ? formatHits(r.ingress.enforced.hits, model) : undefined,
      };
    },
    pending(src, dst, port = 80, protocol = "TCP") {
      const r = h.eval(src, dst, port, protocol);
      return {
        verdict: r.pendingVerdict,
        egress: r.egress ? formatHits(r.egress.pending.hits, model) : undefined,
        ingress: r.ingress ? formatHits(r.ingress.pending.hits, model) : undefined,
      };
    },
    order() {
      return set.policies.map((p) => `${p.ref.tier}|${flowLogPolicyName(p.ref, model)}`);
    },
    tiers() {
      return set.tiers.map(
        (t) => `${t.name}|${Number.isFinite(t.order) ? t.order : "-"}|${t.defaultAction}${t.defined ? "" : "?"}`,
      );
    },
  };
  return h;
}
