import { formatIp, protocolName, type Endpoint } from "../engine/index.js";
import type { EntityRule, Rule } from "../policy/index.js";
import type { LearnDirection } from "./classify.js";
import { connections, type FlowTuple } from "./observe.js";
import type { Peer } from "./peers.js";
import { chunks, portList, takesPorts } from "./ports.js";
import type { Justification } from "./types.js";

/**
 * Learned flows → rules. An element is one (local workload, peer, protocol) with the ports observed between them;
 * elements with the same local workload, kind of peer, protocol and ports share a rule, their peers merged into
 * `key in {...}` or one `nets` list. Merging never widens a rule: every (peer, port) pair it admits was observed.
 */
export interface Element {
  direction: LearnDirection;
  /** The local workload's selector; undefined for the whole namespace (or the policy's own selector). */
  local?: string;
  peer: Peer;
  protocol: number;
  /** Port → when it was first seen with this peer (UNIX seconds). Empty when the protocol has no ports. */
  ports: Map<number, number | undefined>;
  /** True when some flow of a port protocol carried no port: the rule then cannot name ports. */
  anyPort: boolean;
  why: Justification;
}

export function elementKey(direction: LearnDirection, local: string | undefined, peer: Peer, protocol: number): string {
  const id = peer.address ?? peer.selector ?? peer.name;
  return [direction, local ?? "", peer.group, id, peer.namespaceSelector ?? "", protocol].join("\u0000");
}

export function addTuple(e: Element, t: FlowTuple): void {
  if (takesPorts(e.protocol)) {
    if (t.port === undefined) e.anyPort = true;
    else {
      const seen = e.ports.get(t.port);
      if (!e.ports.has(t.port) || (t.first !== undefined && (seen === undefined || t.first < seen))) e.ports.set(t.port, t.first);
    }
  }
  addWhy(e.why, tupleWhy(t));
}

export function tupleWhy(t: FlowTuple): Justification {
  // Names come from the records: control characters (a line break would end the YAML comment) are replaced.
  const raw = `${endName(t.src.endpoint)} -> ${endName(t.dst.endpoint)}${t.port !== undefined ? `:${t.port}` : ""}/${protocolName(t.protocol)}`;
  const example = raw.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, "?");
  const n = connections(t);
  return { records: t.records, connections: n, first: t.first, last: t.last, example, exampleRank: [n, t.first ?? Infinity, example] };
}

export function emptyWhy(): Justification {
  return { records: 0, connections: 0 };
}

export function addWhy(into: Justification, w: Justification): void {
  into.records += w.records;
  into.connections += w.connections;
  if (w.first !== undefined && (into.first === undefined || w.first < into.first)) into.first = w.first;
  if (w.last !== undefined && (into.last === undefined || w.last > into.last)) into.last = w.last;
  if (w.lastNew !== undefined && (into.lastNew === undefined || w.lastNew > into.lastNew)) into.lastNew = w.lastNew;
  if (w.exampleRank && (!into.exampleRank || better(w.exampleRank, into.exampleRank))) {
    into.example = w.example;
    into.exampleRank = w.exampleRank;
  }
}

function better(a: [number, number, string], b: [number, number, string]): boolean {
  return a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
}

function endName(ep: Endpoint): string {
  if (ep.kind === "workload") return `${ep.namespace}/${ep.name ?? "?"}`;
  if (ep.kind === "networkset") return `network set ${ep.namespace ? `${ep.namespace}/` : ""}${ep.name ?? "?"}`;
  return ep.ip ? formatIp(ep.ip) : ep.addressClass ?? ep.name ?? "?";
}

export interface BuiltRule {
  body: Rule;
  why: Justification;
  group: string;
  sortKey: string;
}

/** Elements of one policy and direction → rules, sorted. `withLocal`: the local selector goes into each rule. */
export function groupRules(elements: readonly Element[], withLocal: boolean): BuiltRule[] {
  const groups = new Map<string, Element[]>();
  for (const e of elements) {
    const ports = e.anyPort ? "*" : [...e.ports.keys()].sort((a, b) => a - b).join(",");
    const mergeable = e.peer.single !== undefined || e.peer.group === "4|nets";
    const key = [e.local ?? "", e.peer.group, mergeable ? "" : (e.peer.selector ?? e.peer.name) + (e.peer.namespaceSelector ?? ""), e.protocol, ports].join("\u0000");
    const list = groups.get(key);
    if (list) list.push(e);
    else groups.set(key, [e]);
  }
  const rules: BuiltRule[] = [];
  for (const list of groups.values()) rules.push(...toRules(list, withLocal));
  return rules.sort((a, b) => cmp(a.group, b.group) || cmp(a.sortKey, b.sortKey));
}

function toRules(list: Element[], withLocal: boolean): BuiltRule[] {
  const first = list[0];
  const peerEntity: EntityRule = {};
  const peer = first.peer;
  if (peer.namespaceSelector) peerEntity.namespaceSelector = peer.namespaceSelector;
  if (peer.single && list.length > 1) {
    const values = [...new Set(list.map((e) => e.peer.single!.value))].sort();
    peerEntity.selector = `${peer.single.key} in {${values.map((v) => `'${v}'`).join(", ")}}`;
  } else if (peer.selector) peerEntity.selector = peer.selector;
  if (peer.group === "4|nets") peerEntity.nets = [...new Set(list.flatMap((e) => e.peer.nets ?? []))].sort();
  else if (peer.nets) peerEntity.nets = [...peer.nets];
  if (peer.notNets) peerEntity.notNets = [...peer.notNets];
  const why = emptyWhy();
  for (const e of list) {
    addWhy(why, e.why);
    const times = e.ports.size > 0 ? [...e.ports.values()] : [e.why.first];
    for (const t of times) if (t !== undefined && (why.lastNew === undefined || t > why.lastNew)) why.lastNew = t;
  }
  const ports = first.anyPort || !takesPorts(first.protocol) ? [undefined] : chunks(portList(first.ports.keys()));
  const scope = list.length === 1 || peer.group !== "4|nets" ? peer : { ...peer, name: `${list.length} addresses` };
  return ports.map((chunk) => {
    const local: EntityRule = withLocal && first.local ? { selector: first.local } : {};
    const body: Rule = { action: "Allow" };
    if (first.protocol !== 0) body.protocol = protocolName(first.protocol);
    const peerSide: EntityRule = { ...peerEntity };
    const localSide: EntityRule = { ...local };
    if (chunk) (first.direction === "ingress" ? localSide : peerSide).ports = chunk;
    if (first.direction === "ingress") {
      if (Object.keys(peerSide).length > 0) body.source = peerSide;
      if (Object.keys(localSide).length > 0) body.destination = localSide;
    } else {
      if (Object.keys(localSide).length > 0) body.source = localSide;
      if (Object.keys(peerSide).length > 0) body.destination = peerSide;
    }
    const annotations: Record<string, string> = { "policyrecommendation.tigera.io/name": scope.name, "policyrecommendation.tigera.io/scope": scope.scope };
    if (scope.namespace !== undefined) annotations["policyrecommendation.tigera.io/namespace"] = scope.namespace;
    body.metadata = { annotations };
    return { body, why, group: peer.group, sortKey: JSON.stringify([body.protocol, body.source, body.destination]) };
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
