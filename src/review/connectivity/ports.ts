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
}

const PORTED = new Set([6, 17, 132]);
/** Representatives for "any other protocol", in order of preference. */
const OTHER = [6, 17, 132, 47, 50, 1, 58];

export function rulesOf(set: PolicySet): CompiledRule[] {
  return set.policies.flatMap((p) => [...p.ingress, ...p.egress]);
}

export function portClasses(sets: readonly PolicySet[], namedPortNumbers: ReadonlyMap<number, Set<number>>): PortClass[] {
  const rules = sets.flatMap(rulesOf);
  const named = new Set<number>();
  for (const r of rules) for (const p of [r.protocol, r.notProtocol]) if (p !== undefined && !Number.isNaN(p)) named.add(p);
  const usesNames = rules.some((r) => [r.source, r.destination].some((e) => (e.ports?.names.length ?? 0) + (e.notPorts?.names.length ?? 0) > 0));
  const cuts = new Map<number, Set<number>>();
  const cut = (proto: number, lo: number, hi: number) => {
    let c = cuts.get(proto);
    if (!c) cuts.set(proto, (c = new Set()));
    c.add(lo);
    c.add(hi + 1);
  };
  for (const r of rules) {
    const ranges = (m: PortMatch | undefined) => m?.ranges ?? [];
    for (const [lo, hi] of [...ranges(r.destination.ports), ...ranges(r.destination.notPorts)]) {
      for (const proto of r.protocol !== undefined ? [r.protocol] : [...PORTED]) cut(proto, lo, hi);
    }
  }
  if (usesNames) for (const [proto, ports] of namedPortNumbers) for (const p of ports) cut(proto, p, p);
  const out: PortClass[] = [];
  const protocols = named.size === 0 ? [] : [...named].sort((a, b) => a - b);
  const add = (protocol: number, label: string) => {
    if (!PORTED.has(protocol)) return void out.push({ index: out.length, protocol, protocolName: label });
    const bounds = [...(cuts.get(protocol) ?? [])].filter((b) => b > 1 && b <= 65535).sort((a, b) => a - b);
    let lo = 1;
    for (const b of [...bounds, 65536]) {
      out.push({ index: out.length, protocol, protocolName: label, lo, hi: b - 1 });
      lo = b;
    }
  };
  for (const p of protocols) add(p, protocolName(p));
  const other = OTHER.find((p) => !named.has(p));
  // With no protocol named anywhere, TCP stands for every protocol; ports still matter for named ports only.
  if (named.size === 0) add(TCP, "any");
  else if (other !== undefined) out.push({ index: out.length, protocol: other, protocolName: "any other protocol" });
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
