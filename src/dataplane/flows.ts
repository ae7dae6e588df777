import { formatHits, formatIp, parseIp, type DirectionTrace, type PolicySet } from "../engine/index.js";
import type { CalicoModel } from "../policy/version.js";
import type { Ruleset } from "./compile.js";
import type { DataplaneEndpoint } from "./endpoints.js";
import { AddressVerdicts } from "./verdict.js";

/**
 * The node's live connections (conntrack) as aggregated Calico Enterprise flow-log records, the way Felix reports
 * them at its default aggregation for allowed flows: one record per reporter, source and destination aggregate
 * (namespace and pod-name prefix, `generateName*`; networks as `pub`/`pvt`), protocol and port, with the verdict
 * and the enforced and pending policies the engine gives that flow under the ruleset's policy set, and the number of
 * connections folded into it. Pods' labels are the intersection over the pods aggregated. Only connections with a
 * local endpoint are this node's to report: egress where the source is local (`reporter: src`), ingress where the
 * destination is (`reporter: dst`). Bytes and packets come from conntrack accounting and are the reporter's: for the
 * source, out is the original direction and in the reply; for the destination the other way round.
 */
export interface Connection {
  protocol: number;
  src: string;
  dst: string;
  dport?: number;
  /** Conntrack accounting of the original (src → dst) and reply directions; undefined when accounting is off. */
  orig?: Traffic;
  reply?: Traffic;
}

export interface Traffic {
  packets: number;
  bytes: number;
}

interface Side {
  type: "wep" | "net";
  namespace: string;
  aggr: string;
  labels?: Record<string, string>;
}

interface Aggregate {
  key: string;
  src: Side;
  dst: Side;
  protocol: number;
  dport?: number;
  reporter: "src" | "dst";
  trace: { enforced: DirectionTrace; pending: DirectionTrace };
  count: number;
  in: Traffic;
  out: Traffic;
}

export function connectionFlowRecords(
  ruleset: Pick<Ruleset, "hash" | "endpoints" | "local">,
  set: PolicySet,
  connections: readonly Connection[],
  model: CalicoModel,
  nowMs: number,
): Array<Record<string, unknown>> {
  const verdicts = new AddressVerdicts(set, ruleset);
  const byIp = new Map<string, DataplaneEndpoint>();
  for (const e of ruleset.endpoints) for (const ip of e.ips) byIp.set(formatIp(ip), e);
  const side = (addr: string): Side => {
    const ip = parseIp(addr);
    const e = ip && byIp.get(formatIp(ip));
    if (e) return { type: "wep", namespace: e.pod.namespace, aggr: e.pod.generateName ? `${e.pod.generateName}*` : e.pod.name, labels: e.pod.labels };
    return { type: "net", namespace: "-", aggr: isPrivate(addr) ? "pvt" : "pub" };
  };
  const aggregates = new Map<string, Aggregate>();
  for (const c of connections) {
    const v = verdicts.evaluate(c.src, c.dst, c.protocol, c.dport);
    if (!v) continue;
    const ends: Array<["src" | "dst", boolean, typeof v.egress]> = [["src", verdicts.isLocal(c.src), v.egress], ["dst", verdicts.isLocal(c.dst), v.ingress]];
    for (const [reporter, local, trace] of ends) {
      if (!local || !trace) continue;
      const src = side(c.src);
      const dst = side(c.dst);
      const hits = { enforced: formatHits(trace.enforced.hits, model), pending: formatHits(trace.pending.hits, model) };
      const key = JSON.stringify([reporter, src.type, src.namespace, src.aggr, dst.type, dst.namespace, dst.aggr, c.protocol, c.dport ?? null, trace.enforced.verdict, hits]);
      const a = aggregates.get(key) ?? { key, src, dst, protocol: c.protocol, dport: c.dport, reporter, trace: { enforced: trace.enforced, pending: trace.pending }, count: 0, in: none(), out: none() };
      if (a.count > 0) {
        a.src.labels = intersect(a.src.labels, src.labels);
        a.dst.labels = intersect(a.dst.labels, dst.labels);
      }
      a.count++;
      // The reporter's view: the source sends the original direction, the destination receives it.
      add(a.out, reporter === "src" ? c.orig : c.reply);
      add(a.in, reporter === "src" ? c.reply : c.orig);
      aggregates.set(key, a);
    }
  }
  const end = Math.floor(nowMs / 1000);
  return [...aggregates.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((a) => ({
    start_time: end,
    end_time: end,
    ...endpointFields("source", a.src),
    ...endpointFields("dest", a.dst),
    ...(a.dport !== undefined ? { dest_port: a.dport } : {}),
    proto: a.protocol,
    reporter: a.reporter,
    action: a.trace.enforced.verdict === "deny" ? "deny" : "allow",
    policies: { enforced_policies: formatHits(a.trace.enforced.hits, model), pending_policies: formatHits(a.trace.pending.hits, model) },
    num_flows: a.count,
    num_flows_started: 0,
    num_flows_completed: 0,
    bytes_in: a.in.bytes,
    bytes_out: a.out.bytes,
    packets_in: a.in.packets,
    packets_out: a.out.packets,
    tierguard_ruleset: ruleset.hash,
  }));
}

const none = (): Traffic => ({ packets: 0, bytes: 0 });

function add(sum: Traffic, t: Traffic | undefined): void {
  if (!t) return;
  sum.packets += t.packets;
  sum.bytes += t.bytes;
}

function endpointFields(prefix: "source" | "dest", s: Side): Record<string, unknown> {
  const labels = s.labels ? { labels: Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).sort() } : "-";
  return { [`${prefix}_type`]: s.type, [`${prefix}_namespace`]: s.namespace, [`${prefix}_name`]: "-", [`${prefix}_name_aggr`]: s.aggr, [`${prefix}_ip`]: "-", [`${prefix}_labels`]: labels };
}

function intersect(a: Record<string, string> | undefined, b: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!a || !b) return undefined;
  return Object.fromEntries(Object.entries(a).filter(([k, v]) => b[k] === v));
}

/** RFC 1918, RFC 4193 and loopback/link-local: Calico's `pvt`; everything else `pub`. */
function isPrivate(addr: string): boolean {
  const ip = parseIp(addr);
  if (!ip) return false;
  if (ip.version === 6) return /^f[cd]/i.test(addr) || /^fe80:/i.test(addr) || addr === "::1";
  const [a, b] = addr.split(".").map(Number);
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 169 && b === 254);
}
