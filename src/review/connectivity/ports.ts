import { protocolName, TCP, type CompiledRule, type PolicySet, type PortMatch } from "../../engine/index.js";

/**
 * Protocol and port classes: every protocol a rule of either revision names, plus "any other protocol"; for TCP, UDP
 * and SCTP, the elementary intervals that the boundaries of every port range (and every named port a known
 * workload declares, when rules name ports) cut 1-65535 into. Ports inside one interval are matched alike by every rule.
 */
export interface PortClass {
  index: number;
  protocol: number;
  /** `TCP`, `UDP`, `any other protocol`, or `any` when no rule names a protocol. */
  protocolName: string;
  /** Inclusive; both undefined for protocols without ports. */
  lo?: number;
  hi?: number;
  /** The source port every flow of the class is evaluated from: an ephemeral one unless the class excludes it. */
  srcPort: number;
  /**
   * Source ports in Calico's syntax, when a rule of either revision names source ports for the protocol and the
   * class holds only some of them (then the class is one of the protocol's source-port classes, `sourceClass`).
   */
  sourcePorts?: string[];
  sourceClass: number;
}

const PORTED = new Set([6, 17, 132]);
/** Representatives for "any other protocol", in order of preference. */
const OTHER = [6, 17, 132, 47, 50, 1, 58];

export function rulesOf(set: PolicySet): CompiledRule[] {
  return set.policies.flatMap((p) => [...p.ingress, ...p.egress]);
}

/**
 * Destination port classes times source port classes. Source ports are a second dimension only for a protocol some
 * rule names source ports for (rare: DNS replies from 53 and the like); elsewhere a class is what it always was,
 * evaluated from one ephemeral source port, and the number of classes (and of evaluations) does not change.
 */
export function portClasses(sets: readonly PolicySet[], namedPortNumbers: ReadonlyMap<number, Set<number>>): PortClass[] {
  const rules = sets.flatMap(rulesOf);
  const named = new Set<number>();
  for (const r of rules) for (const p of [r.protocol, r.notProtocol]) if (p !== undefined && !Number.isNaN(p)) named.add(p);
  const cuts = new Map<number, Set<number>>();
  const cut = (proto: number, lo: number, hi: number) => {
    let c = cuts.get(proto);
    if (!c) cuts.set(proto, (c = new Set()));
    c.add(lo);
    c.add(hi + 1);
  };
  for (const r of rules) {
    for (const [lo, hi] of destinationRanges(r)) for (const proto of r.protocol !== undefined ? [r.protocol] : [...PORTED]) cut(proto, lo, hi);
  }
  if (rules.some((r) => usesNames(r.destination))) for (const [proto, ports] of namedPortNumbers) for (const p of ports) cut(proto, p, p);
  const ephemeral = ephemeralSourcePort(sets);
  const sources = sourceClasses(rules, namedPortNumbers, ephemeral);
  const out: PortClass[] = [];
  const push = (c: Omit<PortClass, "index" | "srcPort" | "sourceClass">) => {
    const list = (c.lo !== undefined && sources.get(c.protocol)) || [undefined];
    list.forEach((src, i) => out.push({ ...c, index: out.length, srcPort: src?.rep ?? ephemeral, sourceClass: i, ...(src ? { sourcePorts: src.text } : {}) }));
  };
  const protocols = named.size === 0 ? [] : [...named].sort((a, b) => a - b);
  const add = (protocol: number, label: string) => {
    if (!PORTED.has(protocol)) return push({ protocol, protocolName: label });
    const bounds = [...(cuts.get(protocol) ?? [])].filter((b) => b > 1 && b <= 65535).sort((a, b) => a - b);
    let lo = 1;
    for (const b of [...bounds, 65536]) {
      push({ protocol, protocolName: label, lo, hi: b - 1 });
      lo = b;
    }
  };
  for (const p of protocols) add(p, protocolName(p));
  const other = OTHER.find((p) => !named.has(p));
  // With no protocol named anywhere, TCP stands for every protocol; ports still matter for named ports only.
  if (named.size === 0) add(TCP, "any");
  else if (other !== undefined) out.push({ index: out.length, protocol: other, protocolName: "any other protocol", srcPort: ephemeral, sourceClass: 0 });
  return out;
}

const usesNames = (e: CompiledRule["source"]) => (e.ports?.names.length ?? 0) + (e.notPorts?.names.length ?? 0) > 0;
const rangesOf = (m: PortMatch | undefined) => m?.ranges ?? [];
const destinationRanges = (r: CompiledRule) => [...rangesOf(r.destination.ports), ...rangesOf(r.destination.notPorts)];
const sourceRanges = (r: CompiledRule) => [...rangesOf(r.source.ports), ...rangesOf(r.source.notPorts)];

interface SourceClass {
  /** The port evaluated for the class: the ephemeral one if the class holds it, else its lowest. */
  rep: number;
  text: string[];
}

/**
 * For each protocol a rule names source ports for, the ports that every such rule matches alike: the intervals the
 * ranges' boundaries (and named ports' numbers, when a source port is named) cut 1-65535 into, merged when they
 * fall in the same ranges, so a rule on source port 53 makes two classes, 53 and every other port.
 */
function sourceClasses(rules: readonly CompiledRule[], namedPortNumbers: ReadonlyMap<number, Set<number>>, ephemeral: number): Map<number, SourceClass[]> {
  const ranges = new Map<number, Array<[number, number]>>();
  const add = (proto: number, range: [number, number]) => {
    let list = ranges.get(proto);
    if (!list) ranges.set(proto, (list = []));
    list.push(range);
  };
  for (const r of rules) for (const range of sourceRanges(r)) for (const proto of r.protocol !== undefined ? [r.protocol] : [...PORTED]) add(proto, range);
  if (rules.some((r) => usesNames(r.source))) for (const [proto, ports] of namedPortNumbers) for (const p of ports) add(proto, [p, p]);
  const out = new Map<number, SourceClass[]>();
  for (const [proto, list] of ranges) {
    if (!PORTED.has(proto)) continue;
    const bounds = [...new Set(list.flatMap(([lo, hi]) => [lo, hi + 1]))].filter((b) => b > 1 && b <= 65535).sort((a, b) => a - b);
    const byKey = new Map<string, Array<[number, number]>>();
    let lo = 1;
    for (const b of [...bounds, 65536]) {
      const key = list.map(([l, h]) => (lo >= l && lo <= h ? 1 : 0)).join("");
      const intervals = byKey.get(key);
      if (intervals) intervals.push([lo, b - 1]);
      else byKey.set(key, [[lo, b - 1]]);
      lo = b;
    }
    if (byKey.size < 2) continue;
    const text = (ivs: Array<[number, number]>) => ivs.map(([l, h]) => (l === h ? String(l) : `${l}:${h}`));
    const holds = (ivs: Array<[number, number]>, p: number) => ivs.some(([l, h]) => p >= l && p <= h);
    out.set(proto, [...byKey.values()].map((ivs) => ({ rep: holds(ivs, ephemeral) ? ephemeral : ivs[0][0], text: text(ivs) })));
  }
  return out;
}

/** A source port no rule's source ports name (flows come from ephemeral ports): the one the diff evaluates. */
export function ephemeralSourcePort(sets: readonly PolicySet[]): number {
  const ranges = sets.flatMap(rulesOf).flatMap((r) => [...(r.source.ports?.ranges ?? []), ...(r.source.notPorts?.ranges ?? [])]);
  for (let p = 49152; p <= 65535; p++) if (!ranges.some(([lo, hi]) => p >= lo && p <= hi)) return p;
  return 65535;
}

/** Ports of a class as Calico writes them. */
export function portText(c: PortClass): string | undefined {
  if (c.lo === undefined || c.hi === undefined) return undefined;
  return c.lo === c.hi ? String(c.lo) : `${c.lo}:${c.hi}`;
}
