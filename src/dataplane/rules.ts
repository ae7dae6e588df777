import type { CompiledPolicy, CompiledRule, Direction } from "../engine/index.js";
import type { CompiledEntity, PortMatch } from "../engine/compile.js";
import type { CalicoPolicySpec, IcmpFields } from "../policy/types.js";
import { PORT_PROTOCOLS, type Family, type SetRegistry } from "./sets.js";

/**
 * One compiled rule → the match part of an nftables rule, per address family. Mirrors `matchRule`
 * (src/engine/match.ts) field by field: every field ANDed; `nets`/`notNets` without an entry of the packet's family
 * make the rule not apply to that family (Felix drops it, calico-semantics §4.7); selectors are set lookups on the
 * address; ports (numbers and names) are one concatenated-set lookup.
 */
export type RuleMatch = { kind: "match"; text: string } | { kind: "never" };

/** What the compiler refuses, located like every diagnostic (STYLE habit 4): the field in its file. */
export interface Refusal {
  code: string;
  message: string;
  /** `Kind [namespace/]name` of the policy. */
  policy: string;
  path: string;
  file: string;
  line: number;
  col: number;
}

export function ruleMatch(p: CompiledPolicy, rule: CompiledRule, direction: Direction, family: Family, sets: SetRegistry): RuleMatch {
  if (rule.never) return { kind: "never" };
  if (rule.ipVersion !== undefined && rule.ipVersion !== family) return { kind: "never" };
  const parts: string[] = [];
  if (rule.protocol !== undefined) parts.push(`meta l4proto ${rule.protocol}`);
  if (rule.notProtocol !== undefined) parts.push(`meta l4proto != ${rule.notProtocol}`);
  const icmp = icmpFields(p, direction, rule);
  const icmpWord = rule.protocol === 58 || rule.notProtocol === 58 ? "icmpv6" : "icmp";
  if (icmp.icmp) parts.push(icmpMatch(icmpWord, icmp.icmp, false));
  if (icmp.notICMP) parts.push(icmpMatch(icmpWord, icmp.notICMP, true));
  for (const side of ["source", "destination"] as const) {
    const local = (direction === "ingress") === (side === "destination");
    const m = entityMatch(side === "source" ? rule.source : rule.destination, side, local, rule.protocol, family, sets);
    if (m === undefined) return { kind: "never" };
    parts.push(...m);
  }
  return { kind: "match", text: parts.join(" ") };
}

/** The engine keeps only that a rule has ICMP fields (flow logs carry no type or code); the kernel sees them. */
function icmpFields(p: CompiledPolicy, direction: Direction, rule: CompiledRule): { icmp?: IcmpFields; notICMP?: IcmpFields } {
  if (!rule.icmp && !rule.notIcmp) return {};
  const spec = (p.resource as { spec?: CalicoPolicySpec }).spec;
  const raw = spec?.[direction]?.[rule.index];
  return { icmp: rule.icmp ? raw?.icmp : undefined, notICMP: rule.notIcmp ? raw?.notICMP : undefined };
}

function icmpMatch(word: string, f: IcmpFields, negate: boolean): string {
  const op = negate ? "!= " : "";
  if (f.code === undefined) return `${word} type ${op}${f.type}`;
  return `${word} type . ${word} code ${op}{ ${f.type} . ${f.code} }`;
}

/** Undefined when the entity can never match a packet of this family. */
/** `local`: this side of the packet is the local endpoint whose chain is walking (its sets hold local addresses only). */
function entityMatch(e: CompiledEntity, side: "source" | "destination", local: boolean, protocol: number | undefined, family: Family, sets: SetRegistry): string[] | undefined {
  const addr = `${family === 4 ? "ip" : "ip6"} ${side === "source" ? "saddr" : "daddr"}`;
  const port = `th ${side === "source" ? "sport" : "dport"}`;
  const out: string[] = [];
  if (e.nets) {
    if (!e.nets.hasVersion(family)) return undefined;
    out.push(`${addr} @${sets.nets(e.nets.cidrs, family)}`);
  }
  if (e.notNets) {
    if (!e.notNets.hasVersion(family)) return undefined;
    out.push(`${addr} != @${sets.nets(e.notNets.cidrs, family)}`);
  }
  const selector = (cs: NonNullable<CompiledEntity["positive"]>) => (local ? sets.localSelector(cs, family) : sets.selector(cs, family));
  if (e.positive) out.push(`${addr} @${selector(e.positive)}`);
  if (e.negative) out.push(`${addr} != @${selector(e.negative)}`);
  if (e.ports) out.push(portsMatch(e.ports, addr, port, protocol, family, sets, { negate: false, local }));
  if (e.notPorts) out.push(portsMatch(e.notPorts, addr, port, protocol, family, sets, { negate: true, local }));
  return out;
}

/**
 * Numbers apply to the rule's protocol (validation requires TCP, UDP or SCTP with numbers); without one, to every
 * protocol with ports. The protocol is part of the key, so a packet without ports (ICMP) never matches `ports` and
 * always matches `notPorts`, as the engine's port match (false when the flow has no port) does.
 */
function portsMatch(pm: PortMatch, addr: string, port: string, protocol: number | undefined, family: Family, sets: SetRegistry, o: { negate: boolean; local: boolean }): string {
  const protocols = protocol !== undefined && PORT_PROTOCOLS.includes(protocol) ? [protocol] : protocol === undefined ? PORT_PROTOCOLS : [];
  const set = sets.ports(pm.ranges, pm.names, protocols, family, o.local);
  const key = pm.names.length > 0 ? `${addr} . meta l4proto . ${port}` : `meta l4proto . ${port}`;
  return `${key} ${o.negate ? "!= " : ""}@${set}`;
}
