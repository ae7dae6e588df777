import type { PortMatch } from "../../engine/index.js";
import { protocolName } from "../../engine/index.js";
import { IntervalSet } from "./intervals.js";

/**
 * The port and protocol dimensions of a traffic space. Numeric ports and protocols are exact interval sets. A named
 * port means "whatever port the destination endpoint declares under that name" (calico-semantics §5), which the
 * policies alone do not say: it is resolved through the known workloads (inventory, flow snapshot) when one declares
 * it, and otherwise kept as an opaque atom above the numeric range. Comparing an atom with numbers is undecidable
 * and answered "unknown"; two atoms of one name are the same port.
 */
export type Answer = "yes" | "no" | "unknown";

const MAX_PORT = 65535n;
const ATOM_BASE = 100_000n;
const ATOM_MAX = 10_000_000n;
export const NUMERIC_PORTS = IntervalSet.range(0n, MAX_PORT);
export const ALL_PORTS = IntervalSet.range(0n, ATOM_MAX);
export const ALL_PROTOCOLS = IntervalSet.range(0n, 255n);

export interface NamedPortSource {
  /** Ports declared under `name` by known workloads, for `protocol` (any protocol when undefined). */
  resolve(name: string, protocol: number | undefined): number[];
}

/** Names of unresolved named ports, numbered as atoms; one per analysis run. */
export class PortNames {
  private readonly byName = new Map<string, bigint>();
  private readonly names: string[] = [];

  atom(name: string): bigint {
    let a = this.byName.get(name);
    if (a === undefined) {
      a = ATOM_BASE + BigInt(this.names.length);
      this.byName.set(name, a);
      this.names.push(name);
    }
    return a;
  }

  all(): readonly string[] {
    return this.names;
  }
}

export interface PortSpace {
  set: IntervalSet;
  /** Named ports resolved from known workloads, for the "decided from known workloads" note. */
  resolved: string[];
}

/** `ports` and `notPorts` of one side of a rule as a set; undefined fields leave every port. */
export function portSpace(ports: PortMatch | undefined, notPorts: PortMatch | undefined, protocol: number | undefined, names: PortNames, source: NamedPortSource): PortSpace {
  const resolved: string[] = [];
  const toSet = (m: PortMatch): IntervalSet => {
    const items: Array<[bigint, bigint]> = m.ranges.map(([lo, hi]) => [BigInt(lo), BigInt(hi)]);
    for (const name of m.names) {
      const numbers = source.resolve(name, protocol);
      if (numbers.length > 0) {
        resolved.push(`named port "${name}" (${[...new Set(numbers)].sort((a, b) => a - b).join(", ")} on the known workloads that declare it)`);
        for (const n of numbers) items.push([BigInt(n), BigInt(n)]);
      } else {
        const a = names.atom(name);
        items.push([a, a]);
      }
    }
    return IntervalSet.of(items);
  };
  let set = ports ? toSet(ports) : ALL_PORTS;
  if (notPorts) set = portMinus(set, toSet(notPorts));
  return { set, resolved };
}

export function protocolSpace(protocol: number | undefined, notProtocol: number | undefined): IntervalSet {
  let set = protocol !== undefined ? IntervalSet.range(BigInt(protocol), BigInt(protocol)) : ALL_PROTOCOLS;
  if (notProtocol !== undefined) set = set.minus(IntervalSet.range(BigInt(notProtocol), BigInt(notProtocol)));
  return set;
}

const nums = (s: IntervalSet) => s.intersect(NUMERIC_PORTS);
const atoms = (s: IntervalSet) => s.minus(NUMERIC_PORTS);
const allNumbers = (s: IntervalSet) => s.covers(NUMERIC_PORTS);

/** A named port always resolves to some number, so a set holding every number holds every atom too. */
export function portIntersect(a: IntervalSet, b: IntervalSet): IntervalSet {
  let out = a.intersect(b);
  if (allNumbers(b)) out = out.union(atoms(a));
  if (allNumbers(a)) out = out.union(atoms(b));
  return out;
}

export function portMinus(a: IntervalSet, b: IntervalSet): IntervalSet {
  const out = a.minus(b);
  return allNumbers(b) ? nums(out) : out;
}

export function portOverlap(a: IntervalSet, b: IntervalSet): Answer {
  if (!portIntersect(a, b).isEmpty()) return "yes";
  if ((!atoms(a).isEmpty() && !nums(b).isEmpty()) || (!atoms(b).isEmpty() && !nums(a).isEmpty())) return "unknown";
  return "no";
}

/** Whether `outer` holds every port of `inner`. */
export function portCovers(outer: IntervalSet, inner: IntervalSet): Answer {
  const rest = portMinus(inner, outer);
  if (rest.isEmpty()) return "yes";
  if (!nums(rest).isEmpty()) return atoms(outer).isEmpty() ? "no" : "unknown";
  return nums(outer).isEmpty() ? "no" : "unknown";
}

export function isAllPorts(s: IntervalSet): boolean {
  return s.covers(ALL_PORTS);
}

/** "80-84, 86-90", "any except 85", "http". */
export function describePorts(s: IntervalSet, names: PortNames): string {
  const n = nums(s);
  const missing = NUMERIC_PORTS.minus(n);
  // With every number in, the atoms add nothing (a named port is some number); else list the names that are in.
  const named = missing.isEmpty() ? [] : names.all().filter((name) => s.covers(IntervalSet.range(names.atom(name), names.atom(name))));
  const numeric =
    n.isEmpty() ? []
    : missing.isEmpty() ? ["any"]
    : missing.size() < n.size() && n.items.length > 1 ? [`any except ${listIntervals(missing)}`]
    : [listIntervals(n)];
  return [...numeric, ...named].join(", ");
}

export function describeProtocols(s: IntervalSet): string {
  if (s.covers(ALL_PROTOCOLS)) return "any protocol";
  const missing = ALL_PROTOCOLS.minus(s);
  const name = (x: IntervalSet) => x.items.flatMap(([lo, hi]) => (hi - lo < 4n ? range(lo, hi).map((p) => protocolName(Number(p))) : [`${lo}-${hi}`])).join(", ");
  return missing.size() < s.size() ? `protocols other than ${name(missing)}` : `${s.size() === 1n ? "protocol" : "protocols"} ${name(s)}`;
}

function range(lo: bigint, hi: bigint): bigint[] {
  const out: bigint[] = [];
  for (let x = lo; x <= hi; x++) out.push(x);
  return out;
}

function listIntervals(s: IntervalSet): string {
  const parts = s.items.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
  return parts.length > 8 ? `${parts.slice(0, 8).join(", ")}, ...` : parts.join(", ");
}
