import { buildResources, loadText, type Resource } from "../../src/policy/index.js";
import { parseCalicoVersion, type CalicoVersion } from "../../src/policy/version.js";
import {
  EngineUniverse,
  evaluateFlow,
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
  trace(src: Endpoint, dst: Endpoint, port?: number, protocol?: string): { verdict: string; egress?: string[]; ingress?: string[] };
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

export function harness(yaml: string, options: { version?: string; stagedDelete?: "preview" | "ignore" } = {}): Harness {
  const universe = new EngineUniverse();
  const version = options.version ? (parseCalicoVersion(options.version) as CalicoVersion) : undefined;
  const set = new PolicySet(resources(yaml), { version, universe, stagedDelete: options.stagedDelete });
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
  };
  return h;
}
