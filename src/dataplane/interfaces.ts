import { createHash } from "node:crypto";
import { isInterfaceName } from "./endpoints.js";
import type { LocalEndpoint, NftChain, NftRule } from "./model.js";
import type { Family, NftSet } from "./sets.js";

/**
 * Local endpoints held to their host-side interfaces, where the hook can see them.
 *
 * What the `inet` forward (and input) hook sees, measured in the namespace lab on kernel 6.18 with nft 1.0.6:
 * - routed node (Calico's model: a veth per pod, a /32 route per pod, no bridge): `iifname` is the source pod's
 *   host veth, `oifname` the destination pod's; `meta iifkind` is "veth".
 * - bridge node (br_netfilter): `iifname` and `oifname` are both the bridge (br_netfilter hands the IP hooks the
 *   bridge device, never the member port); `meta iifkind` is "bridge". (Only with
 *   net.bridge.bridge-nf-pass-vlan-input-dev=1, default 0, and VLAN-tagged pods would it be the bridge's VLAN
 *   device: give no interface names on such a node.) `meta ibrname`/`obrname` are refused in the inet family ("Operation not
 *   supported": the kernel offers them to the bridge family only), so the member port cannot be seen here at all.
 * So an endpoint is always identified by its address (the verdict maps are keyed by address alone), and its
 * interface is enforced only where the packet did not come through a bridge: the first rule returns bridged
 * packets, so on a bridge node the spoof chains never drop a pod's packet even with interface names given (the
 * policy walk alone decides, by address), and the two drop rules after it act where the hook sees the pod's own
 * veth (a routed node). A name several local pods share is a bridge or a shared device, never one pod's: those
 * pods go by address only (a warning). The kernel proof: test/agent/interfaces-kernel.test.ts.
 */

/** Linux's limit (IFNAMSIZ 16, with the terminating NUL). */
export const MAX_INTERFACE_NAME = 15;
/** Calico appends 11 hex digits of a SHA-1 to its prefix. */
const CALICO_HASH_DIGITS = 11;

/**
 * The host-side veth name Calico's CNI plugin gives a pod: the prefix (Felix's InterfacePrefix, first entry;
 * default "cali") and the first 11 hex digits of SHA-1("<namespace>.<pod>"). Reproduces
 * `defaultWorkloadEndpointConverter.VethNameForWorkload` in projectcalico/calico
 * libcalico-go/lib/backend/k8s/conversion/workload_endpoint_default.go (called by cni-plugin/pkg/k8s/k8s.go for
 * the desired veth name); its test expects VethNameForWorkload("namespace", "podname") = "eni82111e10a96" with
 * prefix "eni".
 */
export function calicoInterfaceName(prefix: string, namespace: string, pod: string): string {
  return `${prefix}${createHash("sha1").update(`${namespace}.${pod}`).digest("hex").slice(0, CALICO_HASH_DIGITS)}`;
}

/** Why `prefix` cannot name Calico veths (undefined when it can): the name must stay within 15 characters. */
export function interfacePrefixProblem(prefix: string): string | undefined {
  const max = MAX_INTERFACE_NAME - CALICO_HASH_DIGITS;
  if (prefix.length === 0 || prefix.length > max) return `an interface prefix has 1 to ${max} characters (it is followed by ${CALICO_HASH_DIGITS} hex digits, and Linux allows ${MAX_INTERFACE_NAME}), not ${prefix.length}`;
  if (!isInterfaceName(`${prefix}0`)) return `an interface prefix has letters, digits and _ . : @ + - only`;
  return undefined;
}

export interface InterfaceSources {
  /** Names given per pod (annotation tierguard.dev/interface), `namespace/name` → name. */
  given?: ReadonlyMap<string, string>;
  /** Where a pod has no annotation: Calico's computed name with this prefix. */
  calicoPrefix?: string;
}

/**
 * Sets each local endpoint's `interface` where it has a usable one, and returns the anti-spoofing sets and chains
 * (nothing when no endpoint has one, so a bridge node without names compiles as before).
 */
export function antiSpoofing(local: LocalEndpoint[], sources: InterfaceSources, families: readonly Family[], warnings: Set<string>): { sets: NftSet[]; chains: NftChain[] } {
  const named = new Map<LocalEndpoint, string>();
  for (const e of local) {
    const name = sources.given?.get(`${e.namespace}/${e.name}`) ?? (sources.calicoPrefix !== undefined ? calicoInterfaceName(sources.calicoPrefix, e.namespace, e.name) : undefined);
    if (name === undefined) continue;
    if (!isInterfaceName(name)) {
      warnings.add(`interface ${JSON.stringify(name).slice(0, 40)} of ${e.namespace}/${e.name} is not an interface name; the pod is identified by its address only`);
      continue;
    }
    named.set(e, name);
  }
  const owners = new Map<string, LocalEndpoint[]>();
  for (const [e, name] of named) owners.set(name, [...(owners.get(name) ?? []), e]);
  for (const [name, es] of owners) {
    if (es.length === 1) es[0].interface = name;
    else warnings.add(`interface "${name}" is named by ${es.length} pods on this node (${es.map((e) => `${e.namespace}/${e.name}`).slice(0, 3).join(", ")}${es.length > 3 ? ", ..." : ""}): a shared device, not one pod's; they are identified by their addresses only`);
  }
  const held = local.filter((e) => e.interface !== undefined);
  const sets: NftSet[] = [];
  const rules: NftRule[] = [];
  for (const f of families) {
    const pairs = held.flatMap((e) => e.ips.filter((ip) => ip.includes(":") === (f === 6)).map((ip) => ({ iface: e.interface!, ip })));
    const ifaces = [...new Set(held.map((e) => e.interface!))].sort(compare);
    if (ifaces.length === 0) continue;
    const name = `local_if_v${f}`;
    const ip = f === 4 ? "ip" : "ip6";
    sets.push({ name, type: `ifname . ${f === 4 ? "ipv4_addr" : "ipv6_addr"}`, elements: pairs.map((p) => `"${p.iface}" . ${p.ip}`).sort(compare), comment: `local endpoints' interfaces and their IPv${f} addresses`, interval: false });
    const addrs = [...new Set(pairs.map((p) => p.ip))].sort(compare);
    rules.push({ match: `iifname { ${ifaces.map((i) => `"${i}"`).join(", ")} } iifname . ${ip} saddr != @${name}`, verdict: "counter drop", comment: "spoofed: an endpoint's interface carries only its addresses" });
    if (addrs.length > 0) rules.push({ match: `${ip} saddr { ${addrs.join(", ")} } iifname . ${ip} saddr != @${name}`, verdict: "counter drop", comment: "spoofed: an endpoint's addresses come only from its interface" });
  }
  if (rules.length === 0) return { sets, chains: [] };
  // First: a bridged packet shows the bridge, not the port, so the interface cannot be checked (see the header).
  const bridged: NftRule = { match: 'meta iifkind "bridge"', verdict: "return", comment: "bridged: the hook sees the bridge, not the pod's port; the address identifies the endpoint" };
  return {
    sets,
    chains: [
      { name: "spoof", hook: { priority: -20 }, comment: "local endpoints held to their interfaces (forwarded traffic)", rules: [bridged, ...rules] },
      { name: "spoof_to_host", hook: { priority: -20, name: "input" }, comment: "local endpoints held to their interfaces (traffic to this node)", rules: [bridged, ...rules] },
    ],
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
