import { evaluateDirection, MatchContext, mergeBySeq, selectorOn, type CompiledEntity, type CompiledPolicy, type CompiledSelector, type DirectionTrace, type Tri, type Direction, type Endpoint, type LabelSet, type PolicySet } from "../../engine/index.js";
import type { EndpointClass } from "./classes.js";
import type { PortClass } from "./ports.js";
import { objectId, type SideTable } from "./sides.js";

/**
 * One endpoint class's verdicts in one direction (egress at a source, ingress at a destination) towards every peer
 * class and port class, in base and head, enforced and pending. Peers the class's own rules cannot tell apart (the
 * same answer for every peer selector, CIDR and named port its applicable policies name, in both revisions and both
 * modes) share one evaluation, as do port classes its rules do not separate; evaluations are made lazily, when the
 * diff asks, one direction each (engine `evaluateDirection`).
 */
export interface DirectionalVerdict {
  /** ALLOW bits: which of base/head, enforced/pending allow. */
  bits: number;
  /** Deciding hits by the same bit order (interned: equal sides share an id across tables). */
  sides: readonly [number, number, number, number];
  uncertain?: string[];
  pendingUncertain?: string[];
}

/** Bits of `DirectionalVerdict.bits`; a non-workload end allows in every one. */
export const BASE = 1;
export const HEAD = 2;
export const PENDING_BASE = 4;
export const PENDING_HEAD = 8;
export const ALL_ALLOW = 15;

/** Which of the modes' verdicts differ between base and head: BASE (enforced), PENDING_BASE (pending). */
export const flips = (bits: number): number => (bits ^ (bits >> 1)) & (BASE | PENDING_BASE);

export interface Revisions {
  base: PolicySet;
  head: PolicySet;
}

export interface Universe {
  classes: readonly EndpointClass[];
  ports: readonly PortClass[];
  /** Peer identities (the label sets a selector sees, network sets included) in base and head, by class index. */
  identities: { base: LabelSet[][]; head: LabelSet[][] };
  counter: { evaluations: number };
  /** Peer partitions by the criteria that made them, shared by the subjects whose rules name the same. */
  partitions: Map<string, { ids: Int32Array; reps: number[] }>;
  selectorValues: Map<number, Uint8Array>;
  sides: SideTable;
  /** Peers by kind, address family and (when rules name ports by name) named ports, for each of the two cases. */
  basics: Partial<Record<0 | 1, Int32Array>>;
  refiner: Refiner;
}

export class DirectionalTable {
  /** Peer class (of this table's partition) by endpoint class index. */
  readonly peerClass: Int32Array;
  /** Port group (ports this table's rules do not separate) by port class index. */
  readonly portClass: Int32Array;
  readonly portCount: number;
  /** Verdicts by `peerClass * portCount + portClass`, filled as asked. */
  private readonly cells: Array<DirectionalVerdict | undefined>;
  private readonly flipsByPeer: Int8Array;
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
    // Source-port classes matter only to a side whose own rules name source ports.
    const bySource = rules.some((r) => r.source.ports || r.source.notPorts);
    const portKeys = new Map<string, number>();
    this.portClass = new Int32Array(u.ports.length);
    u.ports.forEach((p, i) => {
      const dst = p.lo === undefined ? "" : ranges.map(([lo, hi]) => (p.lo! >= lo && p.lo! <= hi ? 1 : 0)).join("");
      const key = namesUsed ? String(i) : `${p.protocol}|${dst}|${bySource ? p.sourceClass : 0}`;
      let id = portKeys.get(key);
      if (id === undefined) {
        portKeys.set(key, (id = portKeys.size));
        this.portReps.push(i);
      }
      this.portClass[i] = id;
    });
    this.portCount = portKeys.size;
    this.cells = new Array(this.peerReps.length * this.portCount);
    this.flipsByPeer = new Int8Array(this.peerReps.length).fill(-1);
  }
  /**
   * Partition refinement of the peers by every criterion the rules apply to a peer. Subjects whose rules name the
   * same peer criteria (most share their tiers' guard rails) share one partition.
   */
  private partitionPeers(entities: readonly CompiledEntity[], byNamedPorts: boolean): Int32Array {
    // Each criterion's values are computed only when its partition is not cached yet.
    const criteria: Array<{ id: string; value: () => (i: number) => number }> = [];
    const seen = new Set<object>();
    const { classes, identities } = this.u;
    for (const e of entities) {
      for (const cs of [e.positive, e.negative]) {
        if (!cs || seen.has(cs)) continue;
        seen.add(cs);
        criteria.push({ id: `s${cs.id}`, value: () => { const v = this.selectorValues(cs); return (i) => v[i]; } });
      }
      for (const nets of [e.nets, e.notNets]) {
        if (!nets || seen.has(nets)) continue;
        seen.add(nets);
        criteria.push({ id: `n${objectId(nets)}`, value: () => (i) => { const ip = classes[i].rep.ip; return ip === undefined ? 2 : nets.contains(ip) ? 1 : 0; } });
      }
    }
    criteria.sort((a, b) => (a.id < b.id ? -1 : 1));
    const key = `${byNamedPorts ? 1 : 0}|${criteria.map((c) => c.id).join(",")}`;
    let part = this.u.partitions.get(key);
    if (!part) {
      let ids = (this.u.basics[byNamedPorts ? 1 : 0] ??= basics(classes, byNamedPorts));
      for (const c of criteria) ids = this.u.refiner.refine(ids, c.value());
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

  /**
   * Whether any verdict towards this peer changes between the revisions (FLIPPED, PENDING_FLIPPED bits), over every
   * port: the diff skips a pair whose changed sides flip nowhere without looking at its ports.
   */
  rowFlips(peer: number): number {
    const pc = this.peerClass[peer];
    let f = this.flipsByPeer[pc];
    if (f < 0) {
      f = 0;
      for (let g = 0; g < this.portCount; g++) f |= flips(this.cell(pc, g).bits);
      this.flipsByPeer[pc] = f;
    }
    return f;
  }

  private cell(pc: number, group: number): DirectionalVerdict {
    return (this.cells[pc * this.portCount + group] ??= this.evaluate(this.peerReps[pc], this.portReps[group]));
  }

  verdict(peer: number, port: number): DirectionalVerdict {
    const key = this.peerClass[peer] * this.portCount + this.portClass[port];
    return (this.cells[key] ??= this.evaluate(this.peerReps[this.peerClass[peer]], this.portReps[this.portClass[port]]));
  }

  private evaluate(peerIndex: number, portIndex: number): DirectionalVerdict {
    const peer = this.u.classes[peerIndex].rep;
    const p = this.u.ports[portIndex];
    const egress = this.direction === "egress";
    const flow = { src: egress ? this.subject.rep : peer, dst: egress ? peer : this.subject.rep, protocol: p.protocol, dstPort: p.lo ?? 1, srcPort: p.srcPort };
    const one = (set: PolicySet) => {
      this.u.counter.evaluations++;
      return evaluateDirection(set, flow, this.direction)!;
    };
    const b = one(this.sets.base);
    const h = one(this.sets.head);
    const side = (t: DirectionTrace, set: PolicySet) => this.u.sides.id(t, this.direction, set);
    const allows = (t: DirectionTrace, bit: number) => (t.verdict === "allow" ? bit : 0);
    const bits = allows(b.enforced, BASE) | allows(h.enforced, HEAD) | allows(b.pending, PENDING_BASE) | allows(h.pending, PENDING_HEAD);
    const sides = [side(b.enforced, this.sets.base), side(h.enforced, this.sets.head), side(b.pending, this.sets.base), side(h.pending, this.sets.head)] as const;
    const out: DirectionalVerdict = { bits, sides };
    const uncertain = union(b.uncertain, h.uncertain);
    const pendingUncertain = union(b.pendingUncertain, h.pendingUncertain);
    if (uncertain) out.uncertain = uncertain;
    if (pendingUncertain) out.pendingUncertain = pendingUncertain;
    return out;
  }
}

function union(a: readonly string[], b: readonly string[]): string[] | undefined {
  if (a.length === 0 && b.length === 0) return undefined;
  return [...new Set([...a, ...b])];
}

/**
 * Splits each part by a small value (0-255): part and value index a table, stamped per call so that it is never
 * cleared (thousands of partitions of the same peers are refined).
 */
export class Refiner {
  private readonly stamp: Int32Array;
  private readonly id: Int32Array;
  private generation = 0;

  constructor(private readonly size: number) {
    this.stamp = new Int32Array(size * 256);
    this.id = new Int32Array(size * 256);
  }

  refine(ids: Int32Array, value: (i: number) => number): Int32Array {
    const gen = ++this.generation;
    const next = new Int32Array(ids.length);
    let parts = 0;
    for (let i = 0; i < ids.length; i++) {
      const k = ids[i] * 256 + value(i);
      if (this.stamp[k] !== gen) {
        this.stamp[k] = gen;
        this.id[k] = parts++;
      }
      next[i] = this.id[k];
    }
    return next;
  }
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

function peerBasics(ep: Endpoint, byNamedPorts: boolean): string {
  const ip = ep.ip ? `v${ep.ip.version}` : ep.hypothetical ? "hyp" : "noip";
  const named = byNamedPorts ? JSON.stringify(ep.namedPorts ?? null) : "";
  return `${ep.kind}|${ip}|${named}`;
}

/** Policies that apply to the label set in this direction and take part in the enforced or the pending verdict. */
export function relevantPolicies(set: PolicySet, labels: LabelSet, direction: Direction): CompiledPolicy[] {
  return set.relevant(labels, direction).flatMap((s) => mergeBySeq(s.enforced, s.pending.filter((p) => p.staged)));
}

/** The label sets through which a peer's address can match a selector in this revision. */
export function peerIdentities(set: PolicySet, ep: Endpoint): LabelSet[] {
  return new MatchContext(set, { src: ep, dst: ep, protocol: 6 }).identities("src");
}
