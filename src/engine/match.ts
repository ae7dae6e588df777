import type { CompiledEntity, CompiledRule, CompiledSelector, PortMatch } from "./compile.js";
import { describeEndpoint, type Endpoint } from "./endpoint.js";
import { NAMESPACE_LABEL, type LabelSet } from "./labels.js";
import type { PolicySet } from "./policy-set.js";
import { and, F, isTrue, not, or, selectorOn, T, UF, UT, type Tri } from "./tri.js";
import type { CidrSet } from "./cidr-set.js";

/**
 * Does a rule match a flow? All fields are ANDed (calico-semantics §5). Selectors match by IP-set membership: an
 * address matches when its endpoint, or any network set containing it, satisfies the selector (§3.3).
 * Unknown facts (aggregated labels, missing addresses or ports) make the answer uncertain; `why` then says which.
 */
export interface FlowFacts {
  src: Endpoint;
  dst: Endpoint;
  /** IANA protocol number. */
  protocol: number;
  /** Undefined when the record does not carry it. */
  dstPort?: number;
  srcPort?: number;
}

export class MatchContext {
  /** Set when a match returned an uncertain answer: what was unknown. */
  why = "";
  /** Set when a match returned false: the field that did not match (for explain). */
  failed = "";
  readonly ipVersion: 4 | 6 | undefined;
  private srcIds: LabelSet[] | undefined;
  private dstIds: LabelSet[] | undefined;

  constructor(
    readonly set: PolicySet,
    readonly flow: FlowFacts,
  ) {
    this.ipVersion = flow.src.ip?.version ?? flow.dst.ip?.version;
  }

  /** The label sets through which an endpoint's address can match a selector. */
  identities(side: "src" | "dst"): LabelSet[] {
    if (side === "src") return (this.srcIds ??= this.computeIdentities(this.flow.src));
    return (this.dstIds ??= this.computeIdentities(this.flow.dst));
  }

  private computeIdentities(ep: Endpoint): LabelSet[] {
    const ids: LabelSet[] = [];
    if (ep.kind === "workload") ids.push(ep.labels);
    if (ep.kind === "networkset") {
      const ns = ep.name !== undefined ? this.set.networkSet(ep.namespace, ep.name) : undefined;
      if (ns) ids.push(ns.labels);
    }
    if (ep.ip) for (const ns of this.set.networkSetsContaining(ep.ip)) ids.push(ns.labels);
    return ids;
  }
}

export function matchRule(rule: CompiledRule, ctx: MatchContext): Tri {
  if (rule.never) return fail(ctx, rule.never);
  const { flow } = ctx;
  if (rule.protocol !== undefined && rule.protocol !== flow.protocol) return fail(ctx, "protocol");
  if (rule.notProtocol !== undefined && rule.notProtocol === flow.protocol) return fail(ctx, "notProtocol");
  let r: Tri = T;
  if (rule.ipVersion !== undefined) {
    if (ctx.ipVersion === undefined) {
      r = rule.ipVersion === 4 ? UT : UF;
      ctx.why = "the IP version is unknown (the record has no addresses); IPv4 was assumed";
    } else if (ctx.ipVersion !== rule.ipVersion) return fail(ctx, "ipVersion");
  }
  if (rule.icmp) {
    r = and(r, UF);
    ctx.why = "flow records do not carry ICMP type and code";
  }
  if (rule.notIcmp) {
    r = and(r, UT);
    ctx.why = "flow records do not carry ICMP type and code";
  }
  const src = matchEntity(rule.source, "src", flow.srcPort, ctx, SOURCE);
  if (src === F) return F;
  const dst = matchEntity(rule.destination, "dst", flow.dstPort, ctx, DESTINATION);
  if (dst === F) return F;
  r = and(r, and(src, dst));
  if (r !== F && rule.unevaluated) {
    r = and(r, UF);
    ctx.why = `tierguard does not evaluate ${rule.unevaluated} matches`;
  }
  return r;
}

function fail(ctx: MatchContext, field: string): Tri {
  ctx.failed = field;
  return F;
}

/** The field names explain reports a failed match by, built once: a template per failed rule cost an allocation each. */
interface EntityFields {
  nets: string;
  notNets: string;
  selector: string;
  notSelector: string;
  ports: string;
  notPorts: string;
}

const entityFields = (name: string): EntityFields => ({
  nets: `${name}.nets`,
  notNets: `${name}.notNets`,
  selector: `${name}.selector`,
  notSelector: `${name}.notSelector`,
  ports: `${name}.ports`,
  notPorts: `${name}.notPorts`,
});
const SOURCE = entityFields("source");
const DESTINATION = entityFields("destination");

function matchEntity(e: CompiledEntity, side: "src" | "dst", port: number | undefined, ctx: MatchContext, f: EntityFields): Tri {
  const ep = side === "src" ? ctx.flow.src : ctx.flow.dst;
  let r: Tri = T;
  if (e.nets) {
    const m = netsMatch(e.nets, ep, ctx);
    if (m === undefined) return fail(ctx, `${f.nets} (no ${ep.ip?.version === 6 ? "IPv6" : "IPv4"} entries)`);
    if (m === F) return fail(ctx, f.nets);
    r = and(r, m);
  }
  if (e.notNets) {
    const m = netsMatch(e.notNets, ep, ctx);
    if (m === undefined) return fail(ctx, `${f.notNets} (no ${ep.ip?.version === 6 ? "IPv6" : "IPv4"} entries)`);
    if (m === T) return fail(ctx, f.notNets);
    r = and(r, not(m));
  }
  if (e.positive) {
    const m = selectorMatch(e.positive, side, ctx);
    if (m === F) return fail(ctx, f.selector);
    r = and(r, m);
  }
  if (e.negative) {
    const m = selectorMatch(e.negative, side, ctx);
    if (m === T) return fail(ctx, f.notSelector);
    r = and(r, not(m));
  }
  if (e.ports) {
    const m = portsMatch(e.ports, port, ep, ctx);
    if (m === F) return fail(ctx, f.ports);
    r = and(r, m);
  }
  if (e.notPorts) {
    const m = portsMatch(e.notPorts, port, ep, ctx);
    if (m === T) return fail(ctx, f.notPorts);
    r = and(r, not(m));
  }
  return r;
}

/** Undefined when the list has no entry of the flow's IP family: Felix drops the rule for that family (§4.7). */
function netsMatch(nets: CidrSet<true>, ep: Endpoint, ctx: MatchContext): Tri | undefined {
  if (ep.ip) {
    if (!nets.hasVersion(ep.ip.version)) return undefined;
    return nets.contains(ep.ip) ? T : F;
  }
  if (ctx.ipVersion !== undefined && !nets.hasVersion(ctx.ipVersion)) return undefined;
  if (ep.hypothetical) return F;
  ctx.why = `the address of ${describeEndpoint(ep)} is not in the record, so CIDRs cannot be checked`;
  return UF;
}

function selectorMatch(cs: CompiledSelector, side: "src" | "dst", ctx: MatchContext): Tri {
  let r: Tri = F;
  const ids = ctx.identities(side);
  for (const id of ids) {
    const m = selectorOn(cs, id);
    if (m !== F && (m & 2) !== 0) ctx.why = unknownLabelsReason(cs, id, side === "src" ? ctx.flow.src : ctx.flow.dst);
    r = or(r, m);
    if (r === T) return T;
  }
  const ep = side === "src" ? ctx.flow.src : ctx.flow.dst;
  if (!isTrue(r) && !ep.ip && !ep.hypothetical && ep.kind !== "networkset" && ctx.set.selectsSomeNetworkSet(cs)) {
    ctx.why = `the address of ${describeEndpoint(ep)} is not in the record; it may lie in a network set the selector matches`;
    r = or(r, UF);
  }
  return r;
}

function unknownLabelsReason(cs: CompiledSelector, labels: LabelSet, ep: Endpoint): string {
  const keys = [...cs.selector.labelKeys()].filter((k) => labels.isUnknown(k));
  if (keys.some((k) => k.startsWith("pcns."))) {
    // The label set may be a network set's that contains the endpoint's address: name its namespace, not the endpoint's.
    const ns = labels.get(NAMESPACE_LABEL) ?? ep.namespace ?? "?";
    return `the labels of namespace ${ns} are unknown (give an inventory with its Namespace)`;
  }
  if (keys.some((k) => k.startsWith("pcsa.") || k === "projectcalico.org/serviceaccount")) {
    return `the service account of ${describeEndpoint(ep)} is unknown (give an inventory with its pod and ServiceAccount)`;
  }
  return `the labels of ${describeEndpoint(ep)} are aggregated in the flow record (${keys.slice(0, 3).join(", ")})`;
}

function portsMatch(pm: PortMatch, port: number | undefined, ep: Endpoint, ctx: MatchContext): Tri {
  if (port === undefined) {
    ctx.why = "the port is not in the record";
    return UF;
  }
  for (const [lo, hi] of pm.ranges) if (port >= lo && port <= hi) return T;
  if (pm.names.length === 0 || ep.kind !== "workload") return F;
  if (ep.namedPorts === undefined) {
    ctx.why = `the named ports of ${describeEndpoint(ep)} are unknown (give an inventory with its pod spec)`;
    return UF;
  }
  for (const np of ep.namedPorts) {
    if (np.port === port && np.protocol === ctx.flow.protocol && pm.names.includes(np.name)) return T;
  }
  return F;
}
