import { evaluateFlow, formatHit, describePolicy, MatchContext, selectorOn, type CompiledEntity, type CompiledPolicy, type CompiledSelector, type Tri, type Direction, type Endpoint, type LabelSet, type PolicyHit, type PolicySet } from "../../engine/index.js";
import { hitTier, type FlowVerdictSide } from "../../impact/index.js";
import type { EndpointClass } from "./classes.js";
import type { PortClass } from "./ports.js";

/**
 * One endpoint class's verdicts in one direction (egress at a source, ingress at a destination) towards every peer
 * class and port class, in base and head. Peers the class's own rules cannot tell apart (the same answer for every
 * peer selector, CIDR and named port its applicable policies name, in both revisions) share one evaluation, as do
 * port classes its rules do not separate; evaluations are made lazily, when the diff asks.
 */
export interface DirectionalVerdict {
  base: boolean;
  head: boolean;
  baseSide: FlowVerdictSide;
  headSide: FlowVerdictSide;
  uncertain?: string[];
}

export interface Revisions {
  base: PolicySet;
  head: PolicySet;
}

export interface Universe {
  classes: readonly EndpointClass[];
  ports: readonly PortClass[];
  srcPort: number;
  /** Peer identities (the label sets a selector sees, network sets included) in base and head, by class index. */
  identities: { base: LabelSet[][]; head: LabelSet[][] };
  counter: { evaluations: number };
  /** Peer partitions by the criteria that made them, shared by the subjects whose rules name the same. */
  partitions: Map<string, { ids: Int32Array; reps: number[] }>;
  selectorValues: Map<number, Uint8Array>;
}

export class DirectionalTable {
  private readonly peerClass: Int32Array;
  private readonly portClass: Int32Array;
  private readonly portCount: number;
  private readonly cache = new Map<number, DirectionalVerdict>();
  private readonly peerReps: number[] = [];
  private readonly portReps: number[] = [];

  constructor(
    private readonly subject: EndpointClass,
    private readonly direction: Direction,
    private readonly sets: Revisions,
    private readonly u: Universe,
  ) {
    const policies = [...relevantPolicies(sets.base, subject.rep.labels, direction), ...relevantPolicies(sets.head, subject.rep.labels, direction)];
    const rules = policies.flatMap((p) => (direction === "ingress" ? p.ingress : p.egress));
    const peerEntities = rules.map((r) => (direction === "ingress" ? r.source : r.destination));
    const namesUsed = rules.some((r) => (r.destination.ports?.names.length ?? 0) + (r.destination.notPorts?.names.length ?? 0) > 0);
    this.peerClass = this.partitionPeers(peerEntities, namesUsed && direction === "egress");
    const ranges = rules.flatMap((r) => [...(r.destination.ports?.ranges ?? []), ...(r.destination.notPorts?.ranges ?? [])]);
    const portKeys = new Map<string, number>();
    this.portClass = new Int32Array(u.ports.length);
    u.ports.forEach((p, i) => {
      const key = namesUsed ? String(i) : `${p.protocol}|${p.lo === undefined ? "" : ranges.map(([lo, hi]) => (p.lo! >= lo && p.lo! <= hi ? 1 : 0)).join("")}`;
      let id = portKeys.get(key);
      if (id === undefined) {
        portKeys.set(key, (id = portKeys.size));
        this.portReps.push(i);
      }
      this.portClass[i] = id;
    });
    this.portCount = portKeys.size;
  }

  /**
   * Partition refinement of the peers by every criterion the rules apply to a peer. Subjects whose rules name the
   * same peer criteria (most share their tiers' guard rails) share one partition.
   */
  private partitionPeers(entities: readonly CompiledEntity[], byNamedPorts: boolean): Int32Array {
    const criteria: Array<{ id: string; value: (i: number) => number }> = [];
    const seen = new Set<object>();
    const { classes, identities } = this.u;
    for (const e of entities) {
      for (const cs of [e.positive, e.negative]) {
        if (!cs || seen.has(cs)) continue;
        seen.add(cs);
        criteria.push({ id: `s${cs.id}`, value: (i) => this.selectorValues(cs)[i] });
      }
      for (const nets of [e.nets, e.notNets]) {
        if (!nets || seen.has(nets)) continue;
        seen.add(nets);
        criteria.push({ id: `n${objectId(nets)}`, value: (i) => { const ip = classes[i].rep.ip; return ip === undefined ? 2 : nets.contains(ip) ? 1 : 0; } });
      }
    }
    criteria.sort((a, b) => (a.id < b.id ? -1 : 1));
    const key = `${byNamedPorts ? 1 : 0}|${criteria.map((c) => c.id).join(",")}`;
    let part = this.u.partitions.get(key);
    if (!part) {
      let ids = basics(classes, byNamedPorts);
      for (const c of criteria) ids = refine(ids, c.value);
      const reps: number[] = [];
      for (let i = 0; i < ids.length; i++) if (reps[ids[i]] === undefined) reps[ids[i]] = i;
      this.u.partitions.set(key, (part = { ids, reps }));
    }
    this.peerReps.push(...part.reps);
    return part.ids;
  }

  /**
   * A rule selector on every peer, both revisions, as one byte per peer. Kept here rather than in the label sets'
   * memo: every rule selector against every class would fill those memos with millions of entries.
   */
  private selectorValues(cs: CompiledSelector): Uint8Array {
    let values = this.u.selectorValues.get(cs.id);
    if (!values) {
      const test = (l: LabelSet): Tri => (l.unknown === 0 ? (cs.selector.test(l) ? 1 : 0) : selectorOn(cs, l));
      const on = (list: LabelSet[]) => list.reduce((acc: number, l) => acc | (1 << test(l)), 0);
      const { base, head } = this.u.identities;
      values = Uint8Array.from(base, (ids, i) => on(ids) * 16 + on(head[i]));
      this.u.selectorValues.set(cs.id, values);
    }
    return values;
  }

  get peerClasses(): number {
    return this.peerReps.length;
  }

  verdict(peer: number, port: number): DirectionalVerdict {
    const key = this.peerClass[peer] * this.portCount + this.portClass[port];
    let v = this.cache.get(key);
    if (!v) {
      v = this.evaluate(this.peerReps[this.peerClass[peer]], this.portReps[this.portClass[port]]);
      this.cache.set(key, v);
    }
    return v;
  }

  private evaluate(peerIndex: number, portIndex: number): DirectionalVerdict {
    const peer = this.u.classes[peerIndex].rep;
    const p = this.u.ports[portIndex];
    const flow = {
      src: this.direction === "egress" ? this.subject.rep : peer,
      dst: this.direction === "egress" ? peer : this.subject.rep,
      protocol: p.protocol,
      dstPort: p.lo ?? 1,
      srcPort: this.u.srcPort,
    };
    const one = (set: PolicySet) => {
      this.u.counter.evaluations++;
      const e = evaluateFlow(set, flow);
      const side = (this.direction === "egress" ? e.egress : e.ingress)!;
      return { allow: side.enforced.verdict === "allow", side: verdictSide(side.enforced.hits, side.enforced.verdict, this.direction, set), uncertain: e.uncertain };
    };
    const b = one(this.sets.base);
    const h = one(this.sets.head);
    const uncertain = [...new Set([...b.uncertain, ...h.uncertain])];
    return { base: b.allow, head: h.allow, baseSide: b.side, headSide: h.side, ...(uncertain.length > 0 ? { uncertain } : {}) };
  }
}

/** Splits each part by a small non-negative value: numeric keys, no strings. */
function refine(ids: Int32Array, value: (i: number) => number): Int32Array {
  const keys = new Map<number, number>();
  const next = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const k = ids[i] * 1024 + value(i);
    let id = keys.get(k);
    if (id === undefined) keys.set(k, (id = keys.size));
    next[i] = id;
  }
  return next;
}

function basics(classes: readonly EndpointClass[], byNamedPorts: boolean): Int32Array {
  const keys = new Map<string, number>();
  return Int32Array.from(classes, (c) => {
    const k = peerBasics(c.rep, byNamedPorts);
    let id = keys.get(k);
    if (id === undefined) keys.set(k, (id = keys.size));
    return id;
  });
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;
function objectId(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = nextObjectId++));
  return id;
}

function peerBasics(ep: Endpoint, byNamedPorts: boolean): string {
  const ip = ep.ip ? `v${ep.ip.version}` : ep.hypothetical ? "hyp" : "noip";
  const named = byNamedPorts ? JSON.stringify(ep.namedPorts ?? null) : "";
  return `${ep.kind}|${ip}|${named}`;
}

/** Policies that apply to the label set in this direction and take part in the enforced verdict. */
export function relevantPolicies(set: PolicySet, labels: LabelSet, direction: Direction): CompiledPolicy[] {
  return set.relevant(labels, direction).flatMap((s) => s.enforced);
}

/** The label sets through which a peer's address can match a selector in this revision. */
export function peerIdentities(set: PolicySet, ep: Endpoint): LabelSet[] {
  return new MatchContext(set, { src: ep, dst: ep, protocol: 6 }).identities("src");
}

/** The deciding hit as the impact replay names it (`tier|kind:ns/name|action|rule`). */
export function verdictSide(hits: readonly PolicyHit[], verdict: "allow" | "deny", direction: Direction, set: PolicySet): FlowVerdictSide {
  const hit = hits[hits.length - 1];
  if (!hit) return { verdict, decidedBy: "no policy", tier: "" };
  return {
    verdict,
    decidedBy: formatHit(hit, 0, set.version.model).replace(/^0\|/, ""),
    tier: hitTier(hit),
    ...(hit.type === "profile" ? {} : { policy: describePolicy(hit.policy) }),
    ...(hit.type === "rule" ? { rule: hit.ruleIndex } : hit.type === "end-of-tier" ? { rule: -1 } : {}),
    direction,
  };
}

