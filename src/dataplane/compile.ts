import { describePolicy, formatIp, type CompiledPolicy, type Direction, type EngineUniverse, type Mode, type PolicySet } from "../engine/index.js";
import { isTrue, selectorOn } from "../engine/tri.js";
import type { Inventory } from "../flows/index.js";
import { ChainBuilder, DENY_CHAIN, policyKey } from "./chains.js";
import { inventoryEndpoints, type DataplaneEndpoint } from "./endpoints.js";
import { antiSpoofing } from "./interfaces.js";
import { DEFAULT_MARKS, type CounterInfo, type LocalEndpoint, type Marks, type NftChain, type NftMap } from "./model.js";
import { renderRuleset } from "./render.js";
import type { Refusal } from "./rules.js";
import { SetRegistry, shortHash, type Family, type NftSet } from "./sets.js";

export type { LocalEndpoint } from "./model.js";

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
   * any walk) where the hook sees its interface: not for bridged traffic, whose hook sees the bridge
   * (interfaces.ts). The same ruleset serves a routed node and a bridge node.
   */
  interfaces?: ReadonlyMap<string, string>;
  /**
   * Calico's host veth naming: a local pod without an interface in `interfaces` is held to `prefix` + the first
   * 11 hex digits of SHA-1("<namespace>.<pod>") (interfaces.ts calicoInterfaceName). Undefined: no derived names.
   */
  interfacePrefix?: string;
}

export interface CompileOptions {
  /** The table's name in the `inet` family. */
  table?: string;
  marks?: Marks;
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
  const spoof = antiSpoofing(localOut, { given: input.interfaces, calicoPrefix: input.interfacePrefix }, families, warnings);
  const chains = [...builder.chains.values(), denyChain(), accountingChain(), ...baseChains(families), ...spoof.chains].sort((a, b) => compare(a.name, b.name));
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

/**
 * Never jumped to, so it costs no packet anything: loading a `ct packets` expression makes the kernel turn on
 * conntrack accounting (net.netfilter.nf_conntrack_acct) in this network namespace (nft_ct's init calls
 * nf_ct_set_acct), which `agent counters --output flows` reads as bytes and packets. It needs only NET_ADMIN,
 * where writing the sysctl needs a writable /proc/sys, which a container does not have.
 */
export const ACCOUNTING_CHAIN = "ct_accounting";

function accountingChain(): NftChain {
  return { name: ACCOUNTING_CHAIN, comment: "not jumped to: loads conntrack accounting (bytes and packets of flow records)", rules: [{ match: "ct packets 0", verdict: "" }] };
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
