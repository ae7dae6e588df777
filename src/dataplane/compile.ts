import { describePolicy, formatIp, type CompiledPolicy, type Direction, type EngineUniverse, type Mode, type PolicySet } from "../engine/index.js";
import { isTrue, selectorOn } from "../engine/tri.js";
import type { Inventory } from "../flows/index.js";
import { ChainBuilder, DENY_CHAIN, policyKey } from "./chains.js";
import { inventoryEndpoints, isInterfaceName, type DataplaneEndpoint } from "./endpoints.js";
import { DEFAULT_MARKS, type CounterInfo, type Marks, type NftChain, type NftMap } from "./model.js";
import { renderRuleset } from "./render.js";
import type { Refusal } from "./rules.js";
import { SetRegistry, shortHash, type Family, type NftSet } from "./sets.js";

/**
 * Policies + the endpoints on one node → an nftables ruleset (`nft -f` text). Pure. The walk is the engine's: the
 * tiers and policies that apply to each local endpoint come from `PolicySet.relevant`, rules from the engine's
 * compiled rules; nothing is read from YAML again except ICMP type and code, which the engine does not keep.
 * What the engine does not evaluate (services, domains, HTTP, doNotTrack/preDNAT, applicability it cannot decide)
 * is refused, never approximated.
 */
export interface CompileInput {
  policySet: PolicySet;
  universe: EngineUniverse;
  inventory: Inventory;
  /** `namespace/name` of the pods on this node (`spec.nodeName`). */
  localPods: ReadonlySet<string>;
  /**
   * `namespace/name` → the pod's host-side interface, where given (endpoints.ts INTERFACE_ANNOTATION). A local
   * endpoint is identified by its address on every node; one with an interface is also held to it: its interface
   * carries only its addresses, and its addresses come only from its interface (spoofed packets are dropped before
   * any walk). On a bridge, where pods share one interface, none is given and addresses alone identify them.
   */
  interfaces?: ReadonlyMap<string, string>;
}

export interface CompileOptions {
  /** The table's name in the `inet` family. */
  table?: string;
  marks?: Marks;
}

export interface LocalEndpoint {
  namespace: string;
  name: string;
  ips: string[];
  /** The host-side interface it is held to; undefined where none was given. */
  interface?: string;
  /** The endpoint chain per walk and direction. */
  chains: Record<`${Mode}-${Direction}`, string>;
}

export interface Ruleset {
  table: string;
  /** Printed ruleset without counter values; `hash` is its SHA-256 prefix (what the agent reports it enforces). */
  text: string;
  hash: string;
  chains: NftChain[];
  sets: NftSet[];
  maps: NftMap[];
  counters: CounterInfo[];
  local: LocalEndpoint[];
  /** Every endpoint the ruleset knows by address (local and peers), for conntrack clean-up and flow records. */
  endpoints: DataplaneEndpoint[];
  stats: { localEndpoints: number; policies: number; chains: number; rules: number; sets: number; setElements: number };
  warnings: string[];
}

export type CompileResult = { ok: true; ruleset: Ruleset } | { ok: false; refusals: Refusal[] };

export const DEFAULT_TABLE = "tierguard";
const MODES: readonly Mode[] = ["enforced", "pending"];
const DIRECTIONS: readonly Direction[] = ["egress", "ingress"];

export function compileRuleset(input: CompileInput, options: CompileOptions = {}): CompileResult {
  const table = options.table ?? DEFAULT_TABLE;
  const endpoints = inventoryEndpoints(input.inventory, input.universe);
  const local = endpoints
    .filter((e) => input.localPods.has(`${e.pod.namespace}/${e.pod.name}`))
    .sort((a, b) => compare(`${a.pod.namespace}/${a.pod.name}`, `${b.pod.namespace}/${b.pod.name}`));
  const families = ([4, 6] as const).filter((f) => local.some((e) => e.ips.some((ip) => ip.version === f)));
  const sets = new SetRegistry(input.policySet, endpoints, local);
  const builder = new ChainBuilder(sets, families, options.marks ?? DEFAULT_MARKS, input.policySet.version.model);
  const refusals = checkLocal(input.policySet, local);
  if (refusals.length > 0) return { ok: false, refusals };
  const { maps, localOut, policies } = endpointChains(input.policySet, local, families, builder);
  const warnings = new Set(sets.warnings);
  const spoof = antiSpoofing(localOut, input.interfaces, families, warnings);
  const chains = [...builder.chains.values(), denyChain(), ...baseChains(families), ...spoof.chains].sort((a, b) => compare(a.name, b.name));
  const mapList = [...maps.values()].sort((a, b) => compare(a.name, b.name));
  for (const m of mapList) m.elements.sort((a, b) => compare(a[0], b[0]));
  const setList = [...sets.all(), ...spoof.sets].sort((a, b) => compare(a.name, b.name));
  const counters = [...builder.counters.values()].sort((a, b) => compare(a.name, b.name));
  const body = { table, chains, sets: setList, maps: mapList, counters };
  // The hash is of the text without its own comment line, which is then inserted (one rendering, not two).
  const plain = renderRuleset(body);
  const hash = shortHash(plain, 16);
  const ruleset: Ruleset = {
    ...body,
    text: withHashComment(plain, table, hash),
    hash,
    local: localOut,
    endpoints,
    stats: {
      localEndpoints: local.length,
      policies: policies.size,
      chains: chains.length,
      rules: chains.reduce((n, c) => n + c.rules.length, 0),
      sets: setList.length,
      setElements: setList.reduce((n, s) => n + s.elements.length, 0) + mapList.reduce((n, m) => n + m.elements.length, 0),
    },
    warnings: [...warnings].sort(),
  };
  return { ok: true, ruleset };
}

/**
 * Every local endpoint's chains, per walk and direction, and the verdict-map elements that lead to them. Endpoints
 * whose tiers and policies are the same share their chains (ChainBuilder names chains by what they hold).
 */
function endpointChains(set: PolicySet, local: readonly DataplaneEndpoint[], families: readonly Family[], builder: ChainBuilder) {
  const maps = new Map<string, NftMap>();
  for (const mode of MODES) for (const d of DIRECTIONS) for (const f of families) maps.set(mapName(mode, d, f), { name: mapName(mode, d, f), family: f, elements: [] });
  const localOut: LocalEndpoint[] = [];
  const policies = new Set<string>();
  for (const e of local) {
    const chains = {} as LocalEndpoint["chains"];
    for (const direction of DIRECTIONS) {
      const slices = set.relevant(e.endpoint.labels, direction);
      for (const mode of MODES) {
        const tiers = slices
          .map((s) => ({ tier: s.tier, policies: mode === "enforced" ? s.enforced : s.pending }))
          .filter((t) => t.policies.length > 0);
        for (const t of tiers) for (const p of t.policies) policies.add(policyKey(p.ref));
        const chain = builder.endpoint(mode, direction, e.pod.namespace, tiers);
        chains[`${mode}-${direction}`] = chain;
        for (const ip of e.ips) maps.get(mapName(mode, direction, ip.version))!.elements.push([formatIp(ip), chain]);
      }
    }
    localOut.push({ namespace: e.pod.namespace, name: e.pod.name, ips: e.ips.map(formatIp), chains });
  }
  return { maps, localOut, policies };
}

/**
 * Local endpoints held to their interfaces (CompileInput.interfaces): a set of (interface, address) pairs per family
 * and one rule each way, on the forward and input hooks before any walk (priority -20). Nothing without interfaces,
 * so a bridge node's ruleset is unchanged. A name nft cannot take is a warning; that endpoint goes by address only.
 */
function antiSpoofing(local: LocalEndpoint[], interfaces: ReadonlyMap<string, string> | undefined, families: readonly Family[], warnings: Set<string>) {
  const held: LocalEndpoint[] = [];
  for (const e of local) {
    const name = interfaces?.get(`${e.namespace}/${e.name}`);
    if (name === undefined) continue;
    if (!isInterfaceName(name)) {
      warnings.add(`interface ${JSON.stringify(name).slice(0, 40)} of ${e.namespace}/${e.name} is not an interface name; the pod is identified by its address only`);
      continue;
    }
    e.interface = name;
    held.push(e);
  }
  const sets: NftSet[] = [];
  const rules: NftChain["rules"] = [];
  for (const f of families) {
    const pairs = held.flatMap((e) => e.ips.filter((ip) => ip.includes(":") === (f === 6)).map((ip) => ({ iface: e.interface!, ip })));
    const ifaces = [...new Set(held.map((e) => e.interface!))].sort(compare);
    if (ifaces.length === 0) continue;
    const name = `local_if_v${f}`;
    const ip = f === 4 ? "ip" : "ip6";
    sets.push({ name, type: `ifname . ${f === 4 ? "ipv4_addr" : "ipv6_addr"}`, elements: pairs.map((p) => `"${p.iface}" . ${p.ip}`).sort(compare), comment: `local endpoints' interfaces and their IPv${f} addresses`, interval: false });
    const addrs = [...new Set(pairs.map((p) => p.ip))].sort(compare);
    rules.push({ match: `iifname { ${ifaces.map((i) => `"${i}"`).join(", ")} } iifname . ${ip} saddr != @${name}`, verdict: "drop", comment: "spoofed: an endpoint's interface carries only its addresses" });
    if (addrs.length > 0) rules.push({ match: `${ip} saddr { ${addrs.join(", ")} } iifname . ${ip} saddr != @${name}`, verdict: "drop", comment: "spoofed: an endpoint's addresses come only from its interface" });
  }
  if (rules.length === 0) return { sets, chains: [] as NftChain[] };
  const chains: NftChain[] = [
    { name: "spoof", hook: { priority: -20 }, comment: "local endpoints held to their interfaces (forwarded traffic)", rules },
    { name: "spoof_to_host", hook: { priority: -20, name: "input" }, comment: "local endpoints held to their interfaces (traffic to this node)", rules },
  ];
  return { sets, chains };
}

function withHashComment(text: string, table: string, hash: string): string {
  const head = `table inet ${table} {\n`;
  const at = text.indexOf(head) + head.length;
  return `${text.slice(0, at)}\tcomment "tierguard ruleset ${hash}"\n${text.slice(at)}`;
}

export function mapName(mode: Mode, direction: Direction, family: Family): string {
  return `${mode === "enforced" ? "e" : "p"}_${direction === "ingress" ? "in" : "eg"}_v${family}`;
}

/** What the engine does not evaluate, where it concerns a local endpoint, is refused (calico-semantics §13). */
function checkLocal(set: PolicySet, local: readonly DataplaneEndpoint[]): Refusal[] {
  const out = new Map<string, Refusal>();
  const add = (p: CompiledPolicy, r: { code: string; path: string; message: string }) => {
    const policy = describePolicy(p.ref);
    out.set(`${r.code}|${policy}|${r.path}|${r.message}`, { ...r, policy, ...p.resource.source.at(r.path) });
  };
  for (const e of local) {
    for (const p of set.policies) {
      if (p.outOfScope && (p.namespace === undefined || p.namespace === e.pod.namespace) && isTrue(selectorOn(p.selector, e.endpoint.labels))) {
        add(p, { code: "dataplane/not-evaluated", path: `spec.${p.outOfScope}`,
          message: `${p.outOfScope} policies are not evaluated by tierguard, and this one selects ${e.pod.namespace}/${e.pod.name} on this node` });
      }
    }
    for (const direction of DIRECTIONS) {
      for (const slice of set.relevant(e.endpoint.labels, direction)) {
        for (const p of slice.uncertain) {
          add(p, { code: "dataplane/unknown-applicability", path: "spec.selector",
            message: `whether it applies to ${e.pod.namespace}/${e.pod.name} depends on labels the inventory lacks (its Namespace or ServiceAccount)` });
        }
        for (const p of slice.pending) {
          for (const r of direction === "ingress" ? p.ingress : p.egress) {
            if (r.unevaluated) add(p, { code: "dataplane/not-evaluated", path: r.path,
              message: `${r.unevaluated} matches are not evaluated by tierguard and cannot be compiled; the rule applies to ${e.pod.namespace}/${e.pod.name}` });
          }
        }
      }
    }
  }
  return [...out.values()];
}

function denyChain(): NftChain {
  return {
    name: DENY_CHAIN,
    comment: "denied: TCP gets a reset, other protocols an ICMP administratively-prohibited",
    rules: [{ match: "meta l4proto tcp", verdict: "reject with tcp reset" }, { match: "", verdict: "reject with icmpx type admin-prohibited" }],
  };
}

/**
 * Three base chains on the forward hook (the `inet` family sees routed and, through br_netfilter, bridged traffic),
 * and one on the input hook for traffic from local pods to this node.
 * Each accepts established and related traffic first. `accept` ends only its own base chain, so egress at the
 * source and ingress at the destination are two chains, and the pending walk runs first, counting only.
 */
function baseChains(families: readonly Family[]): NftChain[] {
  const lookups = (mode: Mode, directions: readonly Direction[]) =>
    directions.flatMap((d) => families.map((f) => ({ match: "", verdict: `${f === 4 ? "ip" : "ip6"} ${d === "egress" ? "saddr" : "daddr"} vmap @${mapName(mode, d, f)}` })));
  const established = { match: "ct state established,related", verdict: "accept" };
  return [
    { name: "walk_pending", hook: { priority: -10 }, comment: "pending verdicts (staged policies as enforced): counting only", rules: [established, ...lookups("pending", DIRECTIONS)] },
    { name: "walk_egress", hook: { priority: 0 }, comment: "egress policy of local endpoints", rules: [established, { match: "ct state invalid", verdict: "drop" }, ...lookups("enforced", ["egress"])] },
    { name: "walk_ingress", hook: { priority: 10 }, comment: "ingress policy of local endpoints", rules: [established, ...lookups("enforced", ["ingress"])] },
    // A pod's traffic to its own node (Felix: the workload's egress policy, then DefaultEndpointToHostAction, taken
    // as Accept). Traffic from the node to its pods is not policed, as Felix leaves it (kubelet probes).
    { name: "walk_to_host", hook: { priority: 0, name: "input" }, comment: "egress policy of local endpoints, to this node", rules: [established, ...lookups("pending", ["egress"]), ...lookups("enforced", ["egress"])] },
  ];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
