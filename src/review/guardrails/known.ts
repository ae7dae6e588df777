import type { Ip } from "../../engine/index.js";
import { evaluateNode, type Labels, type SelectorNode } from "../../selector/index.js";
import type { Family } from "./cidrs.js";
import { IntervalSet } from "./intervals.js";

/**
 * The workloads known from the inventory and the flow snapshot, as the natural world asks about them: a selector
 * question is a question about labels, and the replicas of a workload share theirs, so the endpoints are grouped by
 * label set (one class per set) and each question is asked once per class; only the addresses stay per endpoint,
 * folded into one set per class. Ten thousand pods of a thousand workloads are a thousand questions, not ten thousand.
 */
export interface KnownEndpoint {
  labels: Labels;
  ip?: Ip;
}

export interface KnownClass {
  labels: Labels;
  /** Addresses of the members whose address is known, per family. */
  ips: Record<Family, IntervalSet>;
  /** True when some member's address in the family is not known: it is taken to be a pod address. */
  unaddressed: Record<Family, boolean>;
}

export interface KnownEndpoints {
  /** Every endpoint, in order (findings number them). */
  all: readonly KnownEndpoint[];
  /** One per distinct `labels` object (label sets are interned: equal sets are one object). */
  classes: readonly KnownClass[];
}

export function knownEndpoints(all: readonly KnownEndpoint[]): KnownEndpoints {
  const byLabels = new Map<Labels, { labels: Labels; ips: Record<Family, Array<[bigint, bigint]>>; unaddressed: Record<Family, boolean> }>();
  for (const w of all) {
    let c = byLabels.get(w.labels);
    if (!c) byLabels.set(w.labels, (c = { labels: w.labels, ips: { 4: [], 6: [] }, unaddressed: { 4: false, 6: false } }));
    for (const family of [4, 6] as const) {
      if (w.ip && w.ip.version === family) c.ips[family].push([w.ip.value, w.ip.value]);
      else c.unaddressed[family] = true;
    }
  }
  const classes = [...byLabels.values()].map((c) => ({ labels: c.labels, ips: { 4: IntervalSet.of(c.ips[4]), 6: IntervalSet.of(c.ips[6]) }, unaddressed: c.unaddressed }));
  return { all, classes };
}

/**
 * A known endpoint in the piece. Its address is known in its own family only; in the other (a dual-stack pod), or
 * when not known, it is taken to be a pod address like any other (`pods`, when the subject leaves addresses open).
 */
export function matchesKnown(w: KnownEndpoint, conj: readonly SelectorNode[], net: IntervalSet, family: Family, pods: IntervalSet | undefined): boolean {
  if (w.ip && w.ip.version === family) {
    if (!net.overlaps(IntervalSet.range(w.ip.value, w.ip.value))) return false;
  } else if (!podAddressIn(net, pods)) return false;
  return conj.every((n) => evaluateNode(n, w.labels));
}

/** True when some member of the class is in the piece: `matchesKnown` of any member, asked once for the class. */
export function classInPiece(c: KnownClass, conj: readonly SelectorNode[], net: IntervalSet, family: Family, pods: IntervalSet | undefined): boolean {
  const addressed = (c.unaddressed[family] && podAddressIn(net, pods)) || (!c.ips[family].isEmpty() && net.overlaps(c.ips[family]));
  return addressed && conj.every((n) => evaluateNode(n, c.labels));
}

function podAddressIn(net: IntervalSet, pods: IntervalSet | undefined): boolean {
  return !pods || pods.isEmpty() || net.overlaps(pods);
}
