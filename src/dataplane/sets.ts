import { createHash } from "node:crypto";
import { formatIp, type Cidr, type PolicySet } from "../engine/index.js";
import type { CompiledSelector } from "../engine/compile.js";
import { NAMESPACE_LABEL, NAMESPACE_PREFIX, type LabelSet } from "../engine/labels.js";
import { isTrue, selectorOn } from "../engine/tri.js";
import type { SelectorNode } from "../selector/index.js";
import type { DataplaneEndpoint } from "./endpoints.js";
import { formatPortRange, mergedElements, mergePorts } from "./intervals.js";

/**
 * Named sets: each rule peer becomes one set lookup, so the cost per packet does not grow with the number of peers.
 * A set is named by a hash of what defines it (a selector's canonical text, a CIDR list, a port list), not of its
 * members, so a rule's text, and so its counter, stays the same when pods come and go. Equal definitions share a set.
 */
export type Family = 4 | 6;

export interface NftSet {
  name: string;
  type: string;
  /** Printed elements, merged and sorted. */
  elements: string[];
  /** What the set stands for, printed as its comment. */
  comment: string;
  /** False for a set of single elements (an interface and an address); default: interval (CIDRs, ranges). */
  interval?: false;
}

export const PORT_PROTOCOLS: readonly number[] = [6, 17, 132, 136];

export function shortHash(text: string, length = 10): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

export class SetRegistry {
  private readonly sets = new Map<string, NftSet>();
  /** Distinct label sets among the endpoints, so a selector is evaluated once per label set, not once per pod. */
  private readonly byLabels = new Map<number, DataplaneEndpoint[]>();
  /**
   * The same groups by namespace: a selector scoped to one namespace (every rule selector of a namespaced policy)
   * is evaluated only on that namespace's label sets, and one that reads only namespace labels (pcns.*) once per
   * namespace, where no pod carries such labels of its own.
   */
  private readonly byNamespace = new Map<string, { groups: DataplaneEndpoint[][]; uniform: boolean }>();
  /** The same groups by the keys of their pods' own labels: `bench == "x"` is evaluated only where `bench` is set. */
  private readonly byKey = new Map<string, DataplaneEndpoint[][]>();
  /** Why a peer set may differ from what the cluster holds (labels the inventory lacks). */
  readonly warnings = new Set<string>();

  /**
   * `local` are this node's endpoints. A rule's local side (the destination of an ingress rule, the source of an
   * egress rule) is always a local endpoint's address, so its sets hold only local addresses: a named port every
   * pod of the cluster declares costs one element per local pod there, not one per pod of the cluster.
   */
  constructor(
    private readonly policySet: PolicySet,
    endpoints: readonly DataplaneEndpoint[],
    private readonly local: readonly DataplaneEndpoint[],
  ) {
    for (const e of endpoints) {
      const list = this.byLabels.get(e.endpoint.labels.id);
      if (list) list.push(e);
      else this.byLabels.set(e.endpoint.labels.id, [e]);
    }
    for (const group of this.byLabels.values()) {
      const pod = group[0].pod;
      let ns = this.byNamespace.get(pod.namespace);
      if (!ns) this.byNamespace.set(pod.namespace, (ns = { groups: [], uniform: true }));
      ns.groups.push(group);
      if (Object.keys(pod.labels).some(isNamespaceKey)) ns.uniform = false;
      for (const key of Object.keys(pod.labels)) {
        const list = this.byKey.get(key);
        if (list) list.push(group);
        else this.byKey.set(key, [group]);
      }
    }
  }

  /** Addresses of the workloads and network sets a selector matches (calico-semantics §3.3: IP-set membership). */
  selector(cs: CompiledSelector, family: Family): string {
    const text = cs.selector.toString();
    return this.intern(`sel${family}`, `selector ${text}`, family === 4 ? "ipv4_addr" : "ipv6_addr", () => {
      const cidrs: Cidr[] = [];
      const add = (group: DataplaneEndpoint[]) => {
        for (const e of group) for (const ip of e.ips) if (ip.version === family) cidrs.push(hostCidr(ip.value, family));
      };
      const scope = namespaceOf(cs.selector.root);
      const key = scope === undefined ? requiredPodKey(cs.selector.root) : undefined;
      if (key !== undefined) {
        // Only pods carrying the key can match; a pod's own label wins over an inherited one of the same key.
        for (const g of this.byKey.get(key) ?? []) if (this.test(cs, g[0])) add(g);
        for (const ns of this.policySet.networkSets) if (isTrue(selectorOn(cs, ns.labels))) cidrs.push(...ns.cidrs);
        return mergedElements(cidrs, family);
      }
      const namespaces = scope !== undefined ? [this.byNamespace.get(scope)].filter((n) => n !== undefined) : [...this.byNamespace.values()];
      const namespaceOnly = [...cs.selector.labelKeys()].every(isNamespaceKey);
      for (const ns of namespaces) {
        if (namespaceOnly && ns.uniform) {
          if (this.test(cs, ns.groups[0][0])) for (const g of ns.groups) add(g);
          continue;
        }
        for (const g of ns.groups) if (this.test(cs, g[0])) add(g);
      }
      for (const ns of this.policySet.networkSets) if (isTrue(selectorOn(cs, ns.labels))) cidrs.push(...ns.cidrs);
      return mergedElements(cidrs, family);
    });
  }

  /** The local endpoints a selector matches, through their own labels or a network set containing their address. */
  localSelector(cs: CompiledSelector, family: Family): string {
    const text = cs.selector.toString();
    return this.intern(`lsel${family}`, `local selector ${text}`, family === 4 ? "ipv4_addr" : "ipv6_addr", () => {
      const cidrs: Cidr[] = [];
      for (const e of this.local) {
        for (const ip of e.ips) {
          if (ip.version !== family) continue;
          const viaSet = this.policySet.networkSetsContaining(ip).some((ns) => isTrue(selectorOn(cs, ns.labels)));
          if (viaSet || this.test(cs, e)) cidrs.push(hostCidr(ip.value, family));
        }
      }
      return mergedElements(cidrs, family);
    });
  }

  /** The engine's answer (`selectorOn`, unknown labels taken as absent) without growing the label set's memo. */
  private test(cs: CompiledSelector, e: DataplaneEndpoint): boolean {
    const labels: LabelSet = e.endpoint.labels;
    const value = cs.selector.test(labels);
    if (labels.unknown !== 0 && cs.selector.evaluate3(labels, (k) => labels.isUnknown(k)) === "unknown") {
      this.warnings.add(`selector ${cs.selector.toString()}: labels of ${e.pod.namespace}/${e.pod.name} are not all in the inventory; taken as absent`);
    }
    return value;
  }

  nets(cidrs: readonly Cidr[], family: Family): string {
    const own = cidrs.filter((c) => c.version === family);
    const key = mergedElements(own, family);
    return this.intern(`net${family}`, `nets ${key.join(",")}`, family === 4 ? "ipv4_addr" : "ipv6_addr", () => key);
  }

  /**
   * A rule's ports as `proto . port` (numbers only) or `addr . proto . port` (with named ports: the addresses of the
   * workloads that name that port; numbers then match any address). `protocols` are those the numbers apply to.
   */
  ports(ranges: ReadonlyArray<[number, number]>, names: readonly string[], protocols: readonly number[], family: Family, localSide: boolean): string {
    const merged = mergePorts(ranges);
    const numeric = protocols.flatMap((p) => merged.map((r) => ({ p, r })));
    const def = `ports ${protocols.join("/")}:${merged.map(formatPortRange).join(",")}${names.length ? ` ${localSide ? "local " : ""}names ${[...names].sort().join(",")}` : ""}`;
    if (names.length === 0) {
      return this.intern("port", def, "inet_proto . inet_service", () => numeric.map(({ p, r }) => `${p} . ${formatPortRange(r)}`));
    }
    const addrType = family === 4 ? "ipv4_addr" : "ipv6_addr";
    return this.intern(`nport${family}`, def, `${addrType} . inet_proto . inet_service`, () => {
      const any = family === 4 ? "0.0.0.0/0" : "::/0";
      const out = numeric.map(({ p, r }) => `${any} . ${p} . ${formatPortRange(r)}`);
      const covered = (p: number, port: number) => numeric.some((n) => n.p === p && port >= n.r[0] && port <= n.r[1]);
      const named = new Set<string>();
      for (const group of localSide ? this.local.map((e) => [e]) : this.byLabels.values()) {
        for (const e of group) {
          for (const np of e.endpoint.namedPorts ?? []) {
            if (!names.includes(np.name) || covered(np.protocol, np.port)) continue;
            for (const ip of e.ips) if (ip.version === family) named.add(`${formatIp(ip)} . ${np.protocol} . ${np.port}`);
          }
        }
      }
      return [...out, ...[...named].sort(compareElements)];
    });
  }

  all(): NftSet[] {
    return [...this.sets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  private intern(prefix: string, definition: string, type: string, build: () => string[]): string {
    const name = `${prefix}_${shortHash(`${type}|${definition}`)}`;
    if (!this.sets.has(name)) this.sets.set(name, { name, type, elements: build(), comment: definition });
    return name;
  }
}

const isNamespaceKey = (k: string) => k === NAMESPACE_LABEL || k.startsWith(NAMESPACE_PREFIX);

/** The namespace a selector is confined to: a top-level `projectcalico.org/namespace == "ns"` conjunct. */
function namespaceOf(node: SelectorNode): string | undefined {
  if (node.op === "eq" && node.label === NAMESPACE_LABEL) return node.value;
  if (node.op === "and") {
    for (const o of node.operands) {
      const ns = namespaceOf(o);
      if (ns !== undefined) return ns;
    }
  }
  return undefined;
}

/**
 * A pod label key the selector cannot match without (`k == "v"`, `k in {...}`, `has(k)`, or one of those in a
 * top-level conjunction). Implicit keys (projectcalico.org/..., pcns., pcsa.) are not pod labels: undefined.
 */
function requiredPodKey(node: SelectorNode): string | undefined {
  if (node.op === "eq" || node.op === "in" || node.op === "has" || node.op === "contains" || node.op === "startswith" || node.op === "endswith") {
    return node.label.startsWith("projectcalico.org/") || node.label.startsWith(NAMESPACE_PREFIX) || node.label.startsWith("pcsa.") ? undefined : node.label;
  }
  if (node.op === "and") {
    for (const o of node.operands) {
      const k = requiredPodKey(o);
      if (k !== undefined) return k;
    }
  }
  return undefined;
}

function hostCidr(value: bigint, family: Family): Cidr {
  return { version: family, base: value, prefix: family === 4 ? 32 : 128, text: "", hostBitsSet: false };
}

/** Plain string order: deterministic output is what matters here. */
function compareElements(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

