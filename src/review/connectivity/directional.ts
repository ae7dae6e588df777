import { evaluateFlow, formatHit, describePolicy, MatchContext, selectorOn, type CompiledEntity, type CompiledPolicy, type Direction, type Endpoint, type LabelSet, type PolicyHit, type PolicySet } from "../../engine/index.js";
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

  /** Partition refinement of the peers by every criterion the rules apply to a peer. */
  private partitionPeers(entities: readonly CompiledEntity[], byNamedPorts: boolean): Int32Array {
    const { classes, identities } = this.u;
    let ids = new Int32Array(classes.length);
    const refine = (value: (i: number) => string | number) => {
      const keys = new Map<string, number>();
      const next = new Int32Array(classes.length);
      for (let i = 0; i < classes.length; i++) {
        const k = `${ids[i]}|${value(i)}`;
        let id = keys.get(k);
        if (id === undefined) keys.set(k, (id = keys.size));
        next[i] = id;
      }
      ids = next;
    };
    refine((i) => peerBasics(classes[i].rep, byNamedPorts));
    const seen = new Set<object>();
    for (const e of entities) {
      for (const cs of [e.positive, e.negative]) {
        if (!cs || seen.has(cs)) continue;
        seen.add(cs);
        const on = (list: LabelSet[]) => list.reduce((acc: number, l) => acc | (1 << selectorOn(cs, l)), 0);
        refine((i) => on(identities.base[i]) * 16 + on(identities.head[i]));
      }
      for (const nets of [e.nets, e.notNets]) {
        if (!nets || seen.has(nets)) continue;
        seen.add(nets);
        refine((i) => {
          const ip = classes[i].rep.ip;
          return ip === undefined ? "?" : nets.contains(ip) ? 1 : 0;
        });
      }
    }
    const reps = new Map<number, number>();
    for (let i = 0; i < ids.length; i++) if (!reps.has(ids[i])) reps.set(ids[i], i);
    for (const [id, i] of reps) this.peerReps[id] = i;
    return ids;
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

