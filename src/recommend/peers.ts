import { formatIp, type Endpoint, type PolicySet } from "../engine/index.js";
import type { Resolved } from "../impact/index.js";
import { chooseIdentities, isNamespaceName, labelsKey, stableLabels, type WorkloadIdentity } from "./identity.js";

/**
 * The other end of a learned flow, as a rule's source (ingress) or destination (egress), and the local end as a
 * workload selector. Peers are expressed as Calico Enterprise's recommendations express them: other namespaces by
 * `projectcalico.org/name`, network sets by their labels, external addresses by CIDR (calico-semantics §11).
 */
export const PRIVATE_NETS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

export interface Peer {
  /** Sort and grouping key: peers with the same group may share a rule. */
  group: string;
  /** Rule annotation `policyrecommendation.tigera.io/scope`. */
  scope: "Namespace" | "NetworkSet" | "Private" | "Public";
  /** Rule annotations `.../name` and `.../namespace`. */
  name: string;
  namespace?: string;
  namespaceSelector?: string;
  selector?: string;
  nets?: string[];
  notNets?: string[];
  /** Set when the peer's selector is one `key == 'value'`: several such peers merge into `key in {...}`. */
  single?: { key: string; value: string };
  /** The external address, for peers that are one. */
  address?: string;
  /** For messages: what the peer is. */
  label: string;
  /** True when the rule cannot constrain the peer's address (the records did not give it). */
  open?: boolean;
}

/** Workload identities, chosen per namespace over every workload the learned flows name. */
export class Identities {
  private readonly byNamespace = new Map<string, Map<string, Array<[string, string]>>>();
  private chosen?: Map<string, Map<string, WorkloadIdentity>>;

  add(ep: Endpoint): void {
    if (ep.kind !== "workload" || ep.namespace === undefined) return;
    const labels = stableLabels(ep);
    if (!labels) return;
    let m = this.byNamespace.get(ep.namespace);
    if (!m) this.byNamespace.set(ep.namespace, (m = new Map()));
    m.set(labelsKey(labels), labels);
  }

  /** Undefined when the workload's labels are unknown: rules then cover its whole namespace. */
  of(ep: Endpoint): WorkloadIdentity | undefined {
    const labels = stableLabels(ep);
    if (!labels || ep.namespace === undefined) return undefined;
    return this.choose().get(ep.namespace)?.get(labelsKey(labels));
  }

  /** Every identity chosen in a namespace, sorted by selector: for the policy's comment. */
  list(namespace: string): WorkloadIdentity[] {
    return [...(this.choose().get(namespace)?.values() ?? [])].sort((a, b) => cmp(a.selector, b.selector));
  }

  /** Chosen once every workload is known: a workload added later would not be told apart from the others. */
  private choose(): Map<string, Map<string, WorkloadIdentity>> {
    if (!this.chosen) {
      this.chosen = new Map();
      const byKey = (a: Array<[string, string]>, b: Array<[string, string]>) => cmp(labelsKey(a), labelsKey(b));
      for (const [ns, m] of this.byNamespace) this.chosen.set(ns, chooseIdentities([...m.values()].sort(byKey)));
    }
    return this.chosen;
  }
}

/** The peer a rule of `namespace`'s policy names for the other end `r`; undefined when it cannot be named. */
export function describePeer(r: Resolved, namespace: string, ids: Identities, set: PolicySet): Peer | undefined {
  const ep = r.endpoint;
  switch (ep.kind) {
    case "workload": {
      const ns = ep.namespace!;
      if (!isNamespaceName(ns)) return undefined; // not a namespace a selector can name: the peer stays open
      const id = ids.of(ep);
      const same = ns === namespace;
      const single = id ? singleTerm(id.selector) : undefined;
      return {
        group: `${same ? "1" : "2"}|${ns}|${id ? (single ? `k:${single.key}` : `s:${id.selector}`) : "*"}`,
        scope: "Namespace",
        name: ns,
        namespace: ns,
        // Without a workload selector a same-namespace peer still needs a constraint: an empty source is anyone.
        namespaceSelector: same && id ? undefined : `projectcalico.org/name == '${ns}'`,
        selector: id?.selector,
        single,
        label: `${ns}/${id ? id.short : "*"}`,
      };
    }
    case "networkset": {
      const known = set.networkSet(ep.namespace, ep.name ?? "");
      const own = known ? Object.entries(known.resource.metadata.labels ?? {}).sort(([a], [b]) => cmp(a, b)) : [];
      if (own.length > 0) {
        const selector = own.map(([k, v]) => `${k} == '${v}'`).join(" && ");
        const nsSel = ep.namespace === undefined ? "global()" : ep.namespace === namespace ? undefined : `projectcalico.org/name == '${ep.namespace}'`;
        return { group: `3|${ep.namespace ?? ""}|${selector}`, scope: "NetworkSet", name: ep.name ?? "", namespace: ep.namespace, namespaceSelector: nsSel, selector, label: `network set ${ep.name}` };
      }
      return external(ep);
    }
    case "external":
      return external(ep);
  }
}

function external(ep: Endpoint): Peer | undefined {
  if (ep.ip) {
    const ip = formatIp(ep.ip);
    const cidr = ip.includes(":") ? `${ip}/128` : `${ip}/32`;
    const priv = PRIVATE_NETS.some((n) => inPrivate(ip, n));
    return { group: "4|nets", scope: priv ? "Private" : "Public", name: ip, nets: [cidr], address: cidr, label: ip };
  }
  // The record aggregated the address away (`pvt`/`pub`): no CIDR can be checked against it, so, as Calico
  // Enterprise does for public addresses, the rule leaves the peer's address open (ports and workload still apply).
  if (ep.addressClass === "pvt") return { group: "5|pvt", scope: "Private", name: "private", label: "private addresses", open: true };
  if (ep.addressClass === "pub") return { group: "5|pub", scope: "Public", name: "public", label: "public addresses", open: true };
  return undefined;
}

function inPrivate(ip: string, net: string): boolean {
  const [base, bits] = net.split("/");
  const toNum = (s: string) => s.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const size = 2 ** (32 - Number(bits));
  const start = toNum(base);
  const n = toNum(ip);
  return n >= start && n < start + size;
}

function singleTerm(selector: string): { key: string; value: string } | undefined {
  const m = /^([^ ]+) == '([^']*)'$/.exec(selector);
  return m ? { key: m[1], value: m[2] } : undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
