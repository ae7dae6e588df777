import { EMPTY_LABELS, formatCidr, formatIp, IpClassifier, isVolatileLabel, NAMESPACE_PREFIX, type Cidr, type Endpoint, type Ip, type PolicySet } from "../../engine/index.js";
import type { KnownWorkload } from "../context.js";
import type { EndpointGroup } from "./types.js";

/**
 * Endpoint classes: endpoints no policy of either revision can tell apart, evaluated once each. A workload class is
 * a distinct label set (the engine interns them) with the CIDR class of its address; an external class is a region
 * of the address space that the CIDRs of both revisions (rule nets and notNets, network sets) carve out.
 */
export interface EndpointClass {
  index: number;
  /** The endpoint the engine evaluates for the whole class. */
  rep: Endpoint;
  group: EndpointGroup;
  /** Pods in the class (1 for an aggregate seen only in flows); 0 for external classes. */
  pods: number;
  /** For external classes: the region, to tell which class a recorded address falls in. */
  region?: Region;
}

const IMPLICIT = /^(projectcalico\.org\/|pcns\.|pcsa\.)/;

export interface WorkloadClasses {
  classes: EndpointClass[];
  /** The class of a workload endpoint (labels and address class), if one of them has it. */
  classOf(ep: Endpoint): EndpointClass | undefined;
}

export function workloadClasses(workloads: readonly KnownWorkload[], sets: readonly PolicySet[], first: number): WorkloadClasses {
  const ipClass = sets.map((s) => new IpClassifier(s));
  const byKey = new Map<string, EndpointClass>();
  const keyOf = (ep: Endpoint) => `${ep.labels.id}|${ipClass.map((c) => c.classOf(ep.ip)).join("|")}`;
  for (const w of workloads) {
    const ep = w.endpoint;
    if (ep.kind !== "workload") continue;
    const key = keyOf(ep);
    const known = byKey.get(key);
    if (known) {
      known.pods++;
      continue;
    }
    byKey.set(key, { index: first + byKey.size, rep: ep, group: workloadGroup(ep), pods: 1 });
  }
  return { classes: [...byKey.values()], classOf: (ep) => (ep.kind === "workload" ? byKey.get(keyOf(ep)) : undefined) };
}

function workloadGroup(ep: Endpoint): EndpointGroup {
  const labels: Record<string, string> = {};
  for (const [k, v] of [...ep.labels.map].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!IMPLICIT.test(k) && !isVolatileLabel(k) && !k.startsWith(NAMESPACE_PREFIX)) labels[k] = v;
  }
  const words = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
  return { kind: "workload", namespace: ep.namespace, labels, name: `${ep.namespace}/{${words}}` };
}

export interface Region {
  version: 4 | 6;
  /** The innermost CIDR around the region; undefined for the rest of the address space. */
  cidr?: Cidr;
  /** CIDRs directly inside it, which the region excludes. */
  holes: Cidr[];
}

const SIZE = (v: 4 | 6) => (v === 4 ? 32 : 128);
const end = (c: Cidr) => c.base + (1n << BigInt(SIZE(c.version) - c.prefix)) - 1n;
const inside = (outer: Cidr, inner: Cidr) => inner.prefix >= outer.prefix && inner.base >> BigInt(SIZE(outer.version) - outer.prefix) === outer.base >> BigInt(SIZE(outer.version) - outer.prefix);

/** Every CIDR either revision names (rule nets and notNets, network sets). */
export function namedCidrs(sets: readonly PolicySet[]): Cidr[] {
  const out = new Map<string, Cidr>();
  const add = (c: Cidr) => out.set(`${c.version}/${c.base}/${c.prefix}`, { ...c, text: formatCidr(c) });
  for (const set of sets) {
    for (const p of set.policies) {
      for (const rule of [...p.ingress, ...p.egress]) {
        for (const e of [rule.source, rule.destination]) for (const nets of [e.nets, e.notNets]) nets?.cidrs.forEach(add);
      }
    }
    for (const ns of set.networkSets) ns.cidrs.forEach(add);
  }
  return [...out.values()];
}

/**
 * CIDRs nest or are disjoint, so they form a forest; each node minus its children is one class of addresses, and
 * so is the address space outside every CIDR (per family; IPv6 only when some CIDR is IPv6).
 */
export function externalClasses(sets: readonly PolicySet[], first: number): EndpointClass[] {
  const cidrs = namedCidrs(sets);
  const out: EndpointClass[] = [];
  for (const version of [4, 6] as const) {
    const mine = cidrs.filter((c) => c.version === version);
    if (version === 6 && mine.length === 0) continue;
    const visit = (n: CidrNode) => {
      const holes = n.children.map((c) => c.cidr!).sort((a, b) => (a.base < b.base ? -1 : 1));
      const ip = representative(version, n.cidr, holes);
      if (ip) {
        const region: Region = { version, cidr: n.cidr, holes };
        out.push({ index: first + out.length, rep: { kind: "external", name: formatIp(ip), labels: EMPTY_LABELS, ip }, group: regionGroup(region, ip, sets), pods: 0, region });
      }
      n.children.forEach(visit);
    };
    visit(cidrForest(mine));
  }
  return out;
}

export interface CidrNode {
  cidr?: Cidr;
  children: CidrNode[];
}

/**
 * The forest of one family's CIDRs (distinct, so any two nest or are disjoint) under a root for the whole space.
 * Sorted by address, then outermost first, a CIDR's parent is the nearest open CIDR containing it: one stack walk,
 * at most two containment tests per CIDR (`counter.comparisons` counts them), where inserting each CIDR from the
 * root scanned every sibling (3,000 disjoint network sets: 4.5 million tests). Children keep the order the old
 * insertion gave (by prefix length, then as named), so the classes come out in the same order.
 */
export function cidrForest(cidrs: readonly Cidr[], counter?: { comparisons: number }): CidrNode {
  const rank = new Map<Cidr, number>();
  [...cidrs].sort((a, b) => a.prefix - b.prefix).forEach((c, i) => rank.set(c, i));
  const sorted = [...cidrs].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : a.prefix - b.prefix));
  const root: CidrNode = { children: [] };
  const open: CidrNode[] = [];
  for (const c of sorted) {
    while (open.length > 0) {
      if (counter) counter.comparisons++;
      if (inside(open[open.length - 1].cidr!, c)) break;
      open.pop();
    }
    const node: CidrNode = { cidr: c, children: [] };
    (open.length > 0 ? open[open.length - 1] : root).children.push(node);
    open.push(node);
  }
  const order = (n: CidrNode) => {
    n.children.sort((a, b) => rank.get(a.cidr!)! - rank.get(b.cidr!)!);
    n.children.forEach(order);
  };
  order(root);
  return root;
}

/** Public-looking addresses tried first for "anywhere outside", so the class reads as the internet. */
const PUBLIC = { 4: [0x08080808n, 0xcb007101n, 0x01010101n], 6: [0x20014860486000000000000000008888n] } as const;

function representative(version: 4 | 6, cidr: Cidr | undefined, holes: readonly Cidr[]): Ip | undefined {
  const inHole = (v: bigint) => holes.some((h) => v >= h.base && v <= end(h));
  if (!cidr || cidr.prefix === 0) for (const v of PUBLIC[version]) if (!inHole(v)) return { version, value: v };
  let cur = cidr ? cidr.base : 0n;
  const last = cidr ? end(cidr) : (1n << BigInt(SIZE(version))) - 1n;
  for (const h of holes) {
    if (h.base > cur) break;
    cur = end(h) + 1n;
  }
  return cur <= last ? { version, value: cur } : undefined;
}

function regionGroup(region: Region, ip: Ip, sets: readonly PolicySet[]): EndpointGroup {
  const netsets = new Set<string>();
  for (const s of sets) for (const ns of s.networkSetsContaining(ip)) netsets.add(ns.namespace ? `NetworkSet ${ns.namespace}/${ns.name}` : `GlobalNetworkSet ${ns.name}`);
  if (netsets.size > 0) {
    const network = [...netsets].sort().join(", ");
    return { kind: "network", network, name: `${network} (${region.cidr ? formatCidr(region.cidr) : "?"})` };
  }
  if (!region.cidr || region.cidr.prefix === 0) {
    const family = region.version === 6 ? " (IPv6)" : "";
    return { kind: "anywhere", network: region.cidr ? formatCidr(region.cidr) : undefined, name: `anywhere outside the cluster${family}` };
  }
  return { kind: "network", network: formatCidr(region.cidr), name: `addresses in ${formatCidr(region.cidr)}` };
}

/**
 * The class of a recorded address: the innermost region containing it, which is the region of the longest named
 * CIDR containing it (the address is in none of that CIDR's holes, so its region is not empty), else the rest of
 * its family's space. One lookup per prefix length in use, rather than a scan of every region per address.
 */
export function regionIndex(classes: readonly EndpointClass[]): (ip: Ip) => EndpointClass | undefined {
  const byCidr = new Map<string, EndpointClass>();
  const rest = new Map<number, EndpointClass>();
  const prefixes = { 4: new Set<number>(), 6: new Set<number>() };
  for (const c of classes) {
    const r = c.region;
    if (!r) continue;
    if (!r.cidr) rest.set(r.version, c);
    else {
      byCidr.set(`${r.version}/${r.cidr.base}/${r.cidr.prefix}`, c);
      prefixes[r.version].add(r.cidr.prefix);
    }
  }
  const longestFirst = { 4: [...prefixes[4]].sort((a, b) => b - a), 6: [...prefixes[6]].sort((a, b) => b - a) };
  return (ip) => {
    const bits = BigInt(SIZE(ip.version));
    for (const prefix of longestFirst[ip.version]) {
      const shift = bits - BigInt(prefix);
      const found = byCidr.get(`${ip.version}/${(ip.value >> shift) << shift}/${prefix}`);
      if (found) return found;
    }
    return rest.get(ip.version);
  };
}
