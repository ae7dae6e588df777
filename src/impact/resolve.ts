import { EMPTY_LABELS, parseIp, workloadEndpoint, type Endpoint, type EngineUniverse, type Ip, type WorkloadFacts } from "../engine/index.js";
import type { FlowEndpointRef } from "../flows/index.js";
import type { Inventory, InventoryPod } from "../flows/index.js";
import { parseFlowProtocol } from "../engine/index.js";
import { BoundedCache } from "./cache.js";

/**
 * Flow-record endpoints → engine endpoints. A pod is resolved by namespace and name against the inventory, else by
 * its aggregated name or IP against the inventory, else from the labels the record carries. What could not be
 * resolved is said in `unresolved`; the endpoint is still built from what is known, and the engine marks any verdict
 * that depended on the missing facts as uncertain.
 */
export interface Resolved {
  /** Stable for equal references: the replayer memoises evaluations on pairs of ids. */
  id: number;
  endpoint: Endpoint;
  unresolved?: string;
  /**
   * Equivalence ids a replayer gave this endpoint, by replayer slot, as `generation * 2^21 + id` (a property read is
   * far cheaper per record than a WeakMap lookup). Owned by the replayers.
   */
  equivalence?: number[];
}

export class EndpointResolver {
  private readonly cache = new BoundedCache<string, Resolved>(100_000);
  private readonly ipCache = new BoundedCache<string, Ip | null>(100_000);
  private readonly byAggregate = new Map<string, InventoryPod | null>();
  /** The inventory's pods by namespace, in inventory order: built on the first aggregate, so that each scans its own namespace only. */
  private podsByNamespace: Map<string, InventoryPod[]> | undefined;
  private readonly seenWorkloads = new Map<number, { endpoint: Endpoint; name: string; ref: FlowEndpointRef }>();
  private nextId = 1;

  constructor(
    private readonly universe: EngineUniverse,
    private readonly inventory?: Inventory,
  ) {}

  resolve(ref: FlowEndpointRef): Resolved {
    const key = refKey(ref);
    let r = this.cache.get(key);
    if (!r) {
      r = { id: this.nextId++, ...this.build(ref) };
      this.cache.set(key, r);
      const ep = r.endpoint;
      if (ep.kind === "workload" && this.seenWorkloads.size < 20_000 && !this.seenWorkloads.has(ep.labels.id)) {
        this.seenWorkloads.set(ep.labels.id, { endpoint: ep, name: `${ep.namespace}/${ref.nameAggr ?? ref.name ?? "?"}`, ref });
      }
    }
    return r;
  }

  /** One endpoint per distinct label set among the workloads resolved so far (at most 20,000). */
  workloads(): Array<{ endpoint: Endpoint; name: string }> {
    return [...this.seenWorkloads.values()].map(({ endpoint, name }) => ({ endpoint, name }));
  }

  /**
   * The references that first showed each of those workloads, in the order seen: plain data, so that a worker
   * thread can post them and the main thread resolve them into its own universe (label-set ids are per universe).
   */
  workloadRefs(): FlowEndpointRef[] {
    return [...this.seenWorkloads.values()].map((w) => w.ref);
  }

  private ip(text: string | undefined): Ip | undefined {
    if (text === undefined) return undefined;
    let ip = this.ipCache.get(text);
    if (ip === undefined) {
      ip = parseIp(text) ?? null;
      this.ipCache.set(text, ip);
    }
    return ip ?? undefined;
  }

  private build(ref: FlowEndpointRef): { endpoint: Endpoint; unresolved?: string } {
    const ip = this.ip(ref.ip);
    switch (ref.type) {
      case "wep":
        return this.workload(ref, ip);
      case "ns":
        return { endpoint: { kind: "networkset", namespace: ref.namespace, name: ref.name ?? ref.nameAggr, labels: EMPTY_LABELS, ip } };
      case "hep":
        return {
          endpoint: { kind: "external", name: ref.name ?? ref.nameAggr ?? ref.ip, labels: EMPTY_LABELS, ip },
          unresolved: `host endpoint ${ref.name ?? ref.nameAggr ?? ref.ip ?? "?"}: host endpoints are not evaluated; treated as an address`,
        };
      case "net":
        return {
          endpoint: {
            kind: "external",
            name: ref.ip ?? ref.nameAggr,
            labels: EMPTY_LABELS,
            ip,
            addressClass: ref.nameAggr === "pvt" || ref.nameAggr === "pub" ? ref.nameAggr : undefined,
          },
        };
    }
  }

  private workload(ref: FlowEndpointRef, ip: Ip | undefined): { endpoint: Endpoint; unresolved?: string } {
    const name = ref.name ?? ref.nameAggr;
    if (ref.namespace === undefined) {
      return {
        endpoint: { kind: "external", name, labels: EMPTY_LABELS, ip },
        unresolved: `workload ${name ?? ref.ip ?? "?"} has no namespace in the record; treated as an address`,
      };
    }
    const inv = this.inventory;
    const pod = inv ? this.findPod(inv, ref) : undefined;
    // An exactly named pod's own labels are authoritative; for an aggregate, the record's labels describe the group.
    const facts: WorkloadFacts = {
      namespace: ref.namespace,
      name,
      podLabels: pod && (ref.name !== undefined || !ref.labels) ? pod.labels : ref.labels,
      podLabelsPartial: !pod && ref.labels !== undefined && ref.labelsAggregated,
      namespaceLabels: inv?.namespaces.get(ref.namespace)?.labels,
      ip: ip ?? (pod && pod.ips.length > 0 ? this.ip(pod.ips[0]) : undefined),
    };
    if (pod) {
      facts.serviceAccount = pod.serviceAccount;
      facts.serviceAccountLabels = inv!.serviceAccounts.get(`${pod.namespace}/${pod.serviceAccount}`)?.labels;
      facts.namedPorts = pod.namedPorts.map((p) => ({ name: p.name, port: p.port, protocol: parseFlowProtocol(p.protocol) ?? 6 }));
    }
    let unresolved: string | undefined;
    if (facts.podLabels === undefined) {
      unresolved = `labels of ${ref.namespace}/${name ?? "?"} are aggregated in the record${inv ? " and the pod is not in the inventory" : ""}`;
    } else if (inv && !pod) {
      unresolved = `${ref.namespace}/${name ?? "?"} is not in the inventory; using the labels in the record`;
    }
    return { endpoint: workloadEndpoint(facts, this.universe.labels), unresolved };
  }

  private podsIn(inv: Inventory, namespace: string): readonly InventoryPod[] {
    return (this.podsByNamespace ??= groupByNamespace(inv.pods)).get(namespace) ?? [];
  }

  private findPod(inv: Inventory, ref: FlowEndpointRef): InventoryPod | undefined {
    if (ref.name !== undefined) {
      const exact = inv.podsByName.get(`${ref.namespace}/${ref.name}`);
      if (exact) return exact;
    }
    if (ref.ip !== undefined) {
      const byIp = inv.podsByIp.get(ref.ip);
      if (byIp && byIp.namespace === ref.namespace) return byIp;
    }
    const aggr = ref.nameAggr;
    if (aggr !== undefined && aggr.endsWith("*")) {
      const key = `${ref.namespace}/${aggr}`;
      let pod = this.byAggregate.get(key);
      if (pod === undefined) {
        const prefix = aggr.slice(0, -1);
        pod = this.podsIn(inv, ref.namespace!).find((p) => p.name.startsWith(prefix)) ?? null;
        this.byAggregate.set(key, pod);
      }
      return pod ?? undefined;
    }
    return undefined;
  }
}

function groupByNamespace(pods: readonly InventoryPod[]): Map<string, InventoryPod[]> {
  const out = new Map<string, InventoryPod[]>();
  for (const p of pods) {
    const list = out.get(p.namespace);
    if (list) list.push(p);
    else out.set(p.namespace, [p]);
  }
  return out;
}

function refKey(ref: FlowEndpointRef): string {
  let labels = "";
  if (ref.labels) {
    const keys = Object.keys(ref.labels).sort();
    for (const k of keys) labels += k + "\u0000" + ref.labels[k] + "\u0001";
  }
  return `${ref.type}|${ref.namespace ?? ""}|${ref.name ?? ""}|${ref.nameAggr ?? ""}|${ref.ip ?? ""}|${ref.labelsAggregated ? 1 : 0}|${ref.labels ? labels : "-"}`;
}
