import { evaluateFlow, formatIp, workloadEndpoint, type Endpoint, type EngineUniverse, type FlowEvaluation, type PolicyHit, type PolicySet } from "../../engine/index.js";
import { SERVICE_ACCOUNT_LABEL } from "../../engine/index.js";
import type { Inventory } from "../../flows/index.js";
import { resolveEndpointSpec } from "../../impact/index.js";
import type { KnownWorkload } from "../context.js";
import { labelText, type EndpointSpec, type PolicyTest } from "./format.js";

/**
 * Runs policy tests through the engine: each end resolves to one endpoint or, for the set forms (`namespace` alone,
 * `selector`), to every known workload that fits; every pair of ends must get the expected enforced verdict.
 */
export interface TestEnv {
  set: PolicySet;
  universe: EngineUniverse;
  inventory?: Inventory;
  workloads: readonly KnownWorkload[];
}

export interface ResolvedEndpoint {
  endpoint: Endpoint;
  description: string;
}

export interface PairResult {
  src: ResolvedEndpoint;
  dst: ResolvedEndpoint;
  evaluation: FlowEvaluation;
  passed: boolean;
}

export interface TestResult {
  test: PolicyTest;
  /** unresolved: an end could not be resolved; empty: a set form matched no known workload, so nothing ran. */
  status: "pass" | "fail" | "unresolved" | "empty";
  /** Why the test is unresolved or empty. */
  reason?: string;
  /** Every pair evaluated. */
  pairs: PairResult[];
  failures: PairResult[];
  /** Set when the ends expand to more pairs than are evaluated: how many there were. */
  truncatedFrom?: number;
}

/** A test whose ends expand to more connections than this is evaluated on the first ones only (and says so). */
export const MAX_PAIRS = 10_000;

export function runTest(test: PolicyTest, env: TestEnv): TestResult {
  const base = { test, pairs: [] as PairResult[], failures: [] as PairResult[] };
  const src = resolve(test.from, "from", env);
  const dst = resolve(test.to, "to", env);
  for (const r of [src, dst]) {
    if ("error" in r) return { ...base, status: "unresolved", reason: r.error };
  }
  for (const r of [src, dst]) {
    if ("empty" in r) return { ...base, status: "empty", reason: r.empty };
  }
  const froms = (src as { endpoints: ResolvedEndpoint[] }).endpoints;
  const tos = (dst as { endpoints: ResolvedEndpoint[] }).endpoints;
  const total = froms.length * tos.length;
  outer: for (const s of froms) {
    for (const d of tos) {
      if (base.pairs.length >= MAX_PAIRS) break outer;
      const evaluation = evaluateFlow(env.set, { src: s.endpoint, dst: d.endpoint, protocol: test.protocol, dstPort: test.port });
      const pair = { src: s, dst: d, evaluation, passed: evaluation.verdict === test.expect };
      base.pairs.push(pair);
      if (!pair.passed) base.failures.push(pair);
    }
  }
  return { ...base, status: base.failures.length > 0 ? "fail" : "pass", ...(total > MAX_PAIRS ? { truncatedFrom: total } : {}) };
}

type Resolution = { endpoints: ResolvedEndpoint[] } | { error: string } | { empty: string };

function resolve(spec: EndpointSpec, side: "from" | "to", env: TestEnv): Resolution {
  switch (spec.form) {
    case "pod":
    case "ip": {
      const r = resolveEndpointSpec(spec.form === "pod" ? spec.pod : spec.ip, { inventory: env.inventory, universe: env.universe });
      if ("error" in r) return { error: `${side}: ${r.error.replace("without --inventory; give one, or give the pod's labels with --from-labels/--to-labels", "without an inventory (tierguard.yaml inventory); give one, or describe the pod by namespace and labels")}` };
      return { endpoints: [r] };
    }
    case "labels":
      return { endpoints: [hypothetical(spec.namespace, spec.labels, spec.serviceAccount, env)] };
    case "namespace": {
      const known = knownWorkloads(env, (w) => w.endpoint.namespace === spec.namespace, spec.serviceAccount);
      if (known.length > 0) return { endpoints: known };
      return { endpoints: [hypothetical(spec.namespace, {}, spec.serviceAccount, env)] };
    }
    case "selector": {
      const known = knownWorkloads(env, (w) => (spec.namespace === undefined || w.endpoint.namespace === spec.namespace) && spec.selector.test(w.endpoint.labels), spec.serviceAccount);
      if (known.length > 0) return { endpoints: known };
      const where = spec.namespace ? ` in namespace ${spec.namespace}` : "";
      const sa = spec.serviceAccount ? ` running as ${spec.serviceAccount}` : "";
      return {
        empty:
          env.workloads.length === 0
            ? `${side}.selector needs known workloads (an inventory or a flow snapshot in tierguard.yaml), and there are none`
            : `no known workload${where}${sa} matches ${side}.selector ${spec.selector.toString()} (according to the inventory and flow snapshot)`,
      };
    }
  }
}

function hypothetical(namespace: string, labels: Record<string, string>, serviceAccount: string | undefined, env: TestEnv): ResolvedEndpoint {
  const endpoint = workloadEndpoint(
    {
      namespace,
      name: labelText(labels),
      podLabels: labels,
      serviceAccount,
      serviceAccountLabels: serviceAccount !== undefined ? env.inventory?.serviceAccounts.get(`${namespace}/${serviceAccount}`)?.labels : undefined,
      namespaceLabels: env.inventory?.namespaces.get(namespace)?.labels,
      hypothetical: true,
    },
    env.universe.labels,
  );
  const sa = serviceAccount !== undefined ? ` as ${serviceAccount}` : "";
  return { endpoint, description: `${namespace}/${labelText(labels)}${sa}` };
}

/**
 * Known workloads that fit, one per distinct shape: replicas share labels (pod-template-hash included), named ports
 * and the network sets their address falls in, so they get the same verdicts.
 */
function knownWorkloads(env: TestEnv, fits: (w: KnownWorkload) => boolean, serviceAccount: string | undefined): ResolvedEndpoint[] {
  const seen = new Set<string>();
  const out: ResolvedEndpoint[] = [];
  for (const w of env.workloads) {
    if (w.endpoint.kind !== "workload" || !fits(w)) continue;
    if (serviceAccount !== undefined && w.endpoint.labels.get(SERVICE_ACCOUNT_LABEL) !== serviceAccount) continue;
    const sets = w.endpoint.ip ? env.set.networkSetsContaining(w.endpoint.ip).map((n) => `${n.namespace ?? ""}/${n.name}`) : [];
    const key = `${w.endpoint.labels.id}|${JSON.stringify(w.endpoint.namedPorts ?? null)}|${sets.join(",")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ endpoint: w.endpoint, description: w.endpoint.ip ? `${w.name} (${formatIp(w.endpoint.ip)})` : w.name });
  }
  return out;
}

/**
 * The hits that decided a pair's verdict: for an allow, the last hit of both directions (both had to allow); for a
 * deny, the last hit of each direction that denied. Profile hits are included (type "profile").
 */
export function decidingHits(evaluation: FlowEvaluation): Array<{ direction: "egress" | "ingress"; hit: PolicyHit }> {
  const out: Array<{ direction: "egress" | "ingress"; hit: PolicyHit }> = [];
  for (const e of [evaluation.egress, evaluation.ingress]) {
    if (!e) continue;
    if (evaluation.verdict === "deny" && e.enforced.verdict !== "deny") continue;
    const hit = e.enforced.hits[e.enforced.hits.length - 1];
    if (hit) out.push({ direction: e.direction, hit });
  }
  return out;
}
