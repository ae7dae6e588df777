import type { Endpoint, PolicySet } from "../engine/index.js";
import type { Learned, LearnDirection } from "./classify.js";
import { changedAt, firstRun, isStale, rfc3339, status } from "./lifecycle.js";
import type { FlowTuple } from "./observe.js";
import { describePeer, Identities, type Peer } from "./peers.js";
import { addTuple, addWhy, elementKey, emptyWhy, groupRules, tupleWhy, type BuiltRule, type Element } from "./rules.js";
import type { Justification, RecNetworkSet, RecPolicy, RecRule, RecommendOptions } from "./types.js";

/**
 * Learned flows → one staged policy per namespace (or per workload), each ending in a Deny per direction, with the
 * cluster's DNS always allowed. Pure and deterministic: the same flows give the same policies, in the same order.
 */
export interface BuildInput {
  learned: readonly Learned[];
  /** Every workload the flows name, learned or not: identities are chosen among all of them. */
  workloads: readonly Endpoint[];
  /** Every namespace that gets a policy, traffic or not. */
  namespaces: readonly string[];
  /** Today's policies: network sets named by flows are looked up here. */
  set: PolicySet;
  /** Earliest flow (UNIX seconds), for the lifecycle. */
  earliest?: number;
  options: RecommendOptions;
}

export interface BuildOutput {
  policies: RecPolicy[];
  networkSets: RecNetworkSet[];
  warnings: string[];
}

interface Bucket {
  namespace: string;
  /** Workload level: the workload's selector and short name. */
  workload?: { selector: string; short: string };
  elements: Map<string, Element>;
  dns: { udp: Justification; tcp: Justification };
}

export function buildPolicies(input: BuildInput): BuildOutput {
  const ids = new Identities();
  for (const ep of input.workloads) ids.add(ep);
  const warnings: string[] = [];
  const buckets = collect(input, ids, warnings);
  const ctx: PolicyContext = { options: input.options, start: firstRun(input.earliest, input.options.lifecycle), ids, networkSets: [], warnings, names: new Set() };
  const order = (x: Bucket, y: Bucket) => cmp(x.namespace, y.namespace) || cmp(x.workload?.selector ?? "", y.workload?.selector ?? "");
  const policies = [...buckets.values()].sort(order).map((b) => toPolicy(b, ctx));
  const networkSets = ctx.networkSets.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  return { policies, networkSets, warnings: warnings.sort() };
}

/** Learned flows → one bucket per policy (namespace, or namespace and workload), each with its rule elements. */
function collect(input: BuildInput, ids: Identities, warnings: string[]): Map<string, Bucket> {
  const { options } = input;
  const buckets = new Map<string, Bucket>();
  const bucketFor = (ns: string, workload?: Bucket["workload"]) => {
    const key = `${ns}\u0000${workload?.selector ?? ""}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { namespace: ns, workload, elements: new Map(), dns: { udp: emptyWhy(), tcp: emptyWhy() } }));
    return b;
  };
  if (options.level === "namespace") for (const ns of input.namespaces) bucketFor(ns);
  else for (const ns of input.namespaces) for (const id of ids.list(ns)) bucketFor(ns, { selector: id.selector, short: id.short });
  let unidentified = 0;
  let open = 0;
  for (const l of input.learned) {
    const own = l.direction === "egress" ? l.tuple.src : l.tuple.dst;
    const other = l.direction === "egress" ? l.tuple.dst : l.tuple.src;
    const id = ids.of(own.endpoint);
    if (options.level === "workload" && !id) {
      unidentified++;
      continue;
    }
    const bucket = options.level === "workload" ? bucketFor(l.namespace, { selector: id!.selector, short: id!.short }) : bucketFor(l.namespace);
    if (l.direction === "egress" && isDns(l.tuple, options)) {
      addWhy(l.tuple.protocol === 17 ? bucket.dns.udp : bucket.dns.tcp, tupleWhy(l.tuple));
      continue;
    }
    const peer = describePeer(other, l.namespace, ids, input.set) ?? anyPeer();
    if (peer.open) open += l.tuple.records;
    const local = options.level === "namespace" ? id?.selector : undefined;
    const key = elementKey(l.direction, local, peer, l.tuple.protocol);
    let e = bucket.elements.get(key);
    if (!e) bucket.elements.set(key, (e = { direction: l.direction, local, peer, protocol: l.tuple.protocol, ports: new Map(), anyPort: false, why: emptyWhy() }));
    addTuple(e, l.tuple);
  }
  if (unidentified > 0) {
    warnings.push(`${unidentified} learned flows name workloads whose labels are unknown (aggregated in the records and not in the inventory): --level workload cannot select them, so they have no policy; use --level namespace or give --inventory`);
  }
  if (open > 0) {
    warnings.push(`${open} learned flow records name a peer without its address (aggregated to pvt/pub, or none): their rules cannot constrain the peer's address, only the workload, protocol and port`);
  }
  return buckets;
}

interface PolicyContext {
  options: RecommendOptions;
  /** When the engine first ran (UNIX seconds). */
  start: number;
  ids: Identities;
  networkSets: RecNetworkSet[];
  warnings: string[];
  /** `namespace/name` of the policies so far. */
  names: Set<string>;
}

function toPolicy(b: Bucket, ctx: PolicyContext): RecPolicy {
  const { options, start, warnings } = ctx;
  const base = uniqueName(b.namespace, b.workload ? `${dnsName(b.workload.short)}-isolation` : `${b.namespace}-isolation`, ctx.names);
  const name = options.version.model === "v3.31" ? `${options.tier}.${base}` : base;
  const rules = { ingress: [] as RecRule[], egress: [] as RecRule[] };
  for (const direction of ["ingress", "egress"] as const) {
    const elements = [...b.elements.values()].filter((e) => e.direction === direction);
    const built = capRules(elements, { bucket: b, base, direction, withLocal: !b.workload, options, networkSets: ctx.networkSets, warnings });
    rules[direction] = built.map((r) => finish(r.body, r.why, start, options));
  }
  rules.egress.unshift(...dnsRules(b, start, options));
  if (b.elements.size === 0 && b.dns.udp.records + b.dns.tcp.records === 0) {
    const what = b.workload ? `${b.namespace} (${b.workload.selector})` : b.namespace;
    warnings.push(`${what}: no traffic reached tier ${options.tier}; its policy allows DNS only and denies everything else`);
  }
  const all = [...rules.ingress, ...rules.egress];
  const lastChange = Math.max(start, ...all.map((r) => changedAt(r.why.lastNew, start, options.lifecycle)));
  const stale = all.filter((r) => r.stale).length;
  if (stale > 0) warnings.push(`${b.namespace}/${name}: ${stale} stale rules (no flow for over ${options.lifecycle.staleAfter}s) offered for removal`);
  return {
    namespace: b.namespace,
    name,
    selector: b.workload ? b.workload.selector : `projectcalico.org/namespace == '${b.namespace}'`,
    identities: ctx.ids.list(b.namespace).filter((i) => !b.workload || i.selector === b.workload.selector),
    ingress: [...rules.ingress, denyRule()],
    egress: [...rules.egress, denyRule()],
    status: status(lastChange, options.lifecycle),
    lastChange,
  };
}

interface CapContext {
  bucket: Bucket;
  base: string;
  direction: LearnDirection;
  withLocal: boolean;
  options: RecommendOptions;
  networkSets: RecNetworkSet[];
  warnings: string[];
}

/**
 * Over --max-rules (rules in the direction, or external addresses named by them): the external addresses of the
 * direction go into one NetworkSet, their ports merged per protocol.
 */
function capRules(elements: Element[], c: CapContext): BuiltRule[] {
  const rules = groupRules(elements, c.withLocal);
  const max = c.options.maxRules;
  const external = elements.filter((e) => e.peer.group === "4|nets");
  const nets = [...new Set(external.flatMap((e) => e.peer.nets ?? []))].sort();
  if ((rules.length <= max && nets.length <= max) || external.length === 0) {
    if (rules.length > max) c.warnings.push(`${c.bucket.namespace}/${c.base}: ${rules.length} ${c.direction} rules exceed --max-rules ${max}; none are external addresses, so none were merged`);
    return rules;
  }
  const setName = `${c.base.replace(/-isolation$/, "")}-${c.direction}-external`;
  const label = "policyrecommendation.tigera.io/networkset";
  c.networkSets.push({ namespace: c.bucket.namespace, name: setName, labels: { [label]: setName }, nets });
  const peer: Peer = { group: "3|set", scope: "NetworkSet", name: setName, namespace: c.bucket.namespace, selector: `${label} == '${setName}'`, label: `network set ${setName}` };
  const merged = new Map<string, Element>();
  for (const e of external) {
    const key = `${e.local ?? ""}\u0000${e.protocol}`;
    let m = merged.get(key);
    if (!m) merged.set(key, (m = { ...e, peer, ports: new Map(), anyPort: false, why: emptyWhy() }));
    m.anyPort ||= e.anyPort;
    for (const [p, t] of e.ports) if (!m.ports.has(p) || (t !== undefined && t < (m.ports.get(p) ?? Infinity))) m.ports.set(p, t);
    addWhy(m.why, e.why);
  }
  const result = groupRules([...elements.filter((e) => e.peer.group !== "4|nets"), ...merged.values()], c.withLocal);
  c.warnings.push(
    `${c.bucket.namespace}/${c.base}: ${nets.length} external addresses in ${rules.length} ${c.direction} rules exceed --max-rules ${max}: merged into NetworkSet ${c.bucket.namespace}/${setName} (ports merged per protocol, which admits address/port pairs never observed)` +
      (result.length > max ? `; still ${result.length} rules` : ""),
  );
  return result;
}

function finish(body: RecRule["body"], why: Justification, start: number, options: RecommendOptions): RecRule {
  const stale = isStale(why.last, options.lifecycle);
  const annotations = { ...(body.metadata?.annotations ?? {}) };
  annotations["policyrecommendation.tigera.io/lastUpdated"] = rfc3339(changedAt(why.lastNew, start, options.lifecycle));
  if (stale) annotations["policyrecommendation.tigera.io/status"] = "Stale";
  return { body: { ...body, metadata: { annotations: sortKeys(annotations) } }, why, stale };
}

function dnsRules(b: Bucket, start: number, options: RecommendOptions): RecRule[] {
  const { namespace, key, value } = options.dns;
  return (["UDP", "TCP"] as const).map((protocol) => {
    const why = protocol === "UDP" ? b.dns.udp : b.dns.tcp;
    const body = {
      action: "Allow",
      protocol,
      destination: { namespaceSelector: `projectcalico.org/name == '${namespace}'`, selector: `${key} == '${value}'`, ports: [53] },
      metadata: { annotations: { "policyrecommendation.tigera.io/name": namespace, "policyrecommendation.tigera.io/namespace": namespace, "policyrecommendation.tigera.io/scope": "Namespace" } },
    };
    // DNS is never offered for removal: a workload that stops resolving names breaks in ways flows do not show.
    return { ...finish(body, why, start, { ...options, lifecycle: { ...options.lifecycle, staleAfter: Infinity } }), note: "cluster DNS: always allowed, UDP and TCP" };
  });
}

function isDns(t: FlowTuple, o: RecommendOptions): boolean {
  const ep = t.dst.endpoint;
  return ep.kind === "workload" && ep.namespace === o.dns.namespace && ep.labels.get(o.dns.key) === o.dns.value && t.port === 53 && (t.protocol === 6 || t.protocol === 17);
}

function anyPeer(): Peer {
  return { group: "6|any", scope: "Public", name: "any", label: "any address (the records did not say which)", open: true };
}

function denyRule(): RecRule {
  return { body: { action: "Deny" }, why: emptyWhy(), stale: false, note: "everything not observed" };
}

function dnsName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 200) || "workload";
}

/** A policy name not yet taken in the namespace (two workloads may shorten to the same name). */
function uniqueName(namespace: string, name: string, taken: Set<string>): string {
  let out = name;
  for (let i = 2; taken.has(`${namespace}/${out}`); i++) out = `${name.replace(/-isolation$/, "")}-${i}-isolation`;
  taken.add(`${namespace}/${out}`);
  return out;
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => cmp(a, b)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
