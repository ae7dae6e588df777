import type { Ruleset } from "../dataplane/index.js";
import { AddressVerdicts } from "../dataplane/verdict.js";
import type { PolicySet } from "../engine/index.js";
import type { CommandRunner } from "./exec.js";

/**
 * An established connection survives a ruleset that denies it (conntrack accepts it before any policy). After a
 * load, every conntrack entry of a local endpoint is judged by the engine under the new policy set, and the denied
 * ones are deleted; their next packet is then new, and the ruleset rejects it. Entries the new policy allows are
 * left alone, so a reload never breaks a connection both versions allow.
 */
export interface ConntrackEntry {
  protocol: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
}

/** `conntrack -L` lines: `tcp 6 431999 ESTABLISHED src=A dst=B sport=P dport=Q src=... [ASSURED] ...`. */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    // With -o extended the line starts with the layer-3 name and number (`ipv4 2 tcp 6 ...`).
    const at = fields[0] === "ipv4" || fields[0] === "ipv6" ? 2 : 0;
    const protocol = Number(fields[at + 1]);
    if (!Number.isInteger(protocol)) continue;
    const first = (key: string) => fields.find((f) => f.startsWith(`${key}=`))?.slice(key.length + 1);
    const src = first("src");
    const dst = first("dst");
    if (!src || !dst) continue;
    const sport = first("sport");
    const dport = first("dport");
    out.push({ protocol, src, dst, sport: sport ? Number(sport) : undefined, dport: dport ? Number(dport) : undefined });
  }
  return out;
}

const PROTOCOL_NAMES: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6", 132: "sctp", 136: "udplite" };

export async function clearDeniedConnections(ruleset: Ruleset, set: PolicySet, run: CommandRunner): Promise<{ deleted: number; warnings: string[] }> {
  const list = await run("conntrack", ["-L"]);
  if (list.code !== 0) return { deleted: 0, warnings: [`conntrack -L failed (${list.stderr.trim() || list.code}); established connections were not re-checked`] };
  const verdicts = new AddressVerdicts(set, ruleset);
  let deleted = 0;
  const warnings: string[] = [];
  for (const e of parseConntrack(list.stdout)) {
    const srcLocal = verdicts.isLocal(e.src);
    const dstLocal = verdicts.isLocal(e.dst);
    if (!srcLocal && !dstLocal) continue;
    const v = verdicts.evaluate(e.src, e.dst, e.protocol, e.dport);
    // Only the directions this node enforces: egress of a local source, ingress of a local destination.
    const denied = (srcLocal && v?.egress?.enforced.verdict === "deny") || (dstLocal && v?.ingress?.enforced.verdict === "deny");
    if (!denied) continue;
    const args = ["-D", "-p", PROTOCOL_NAMES[e.protocol] ?? String(e.protocol), "-s", e.src, "-d", e.dst];
    if (e.sport !== undefined && e.dport !== undefined) args.push("--sport", String(e.sport), "--dport", String(e.dport));
    const r = await run("conntrack", args);
    // Exit status 1 with "0 flow entries" means the entry ended on its own meanwhile.
    if (r.code === 0) deleted++;
    else if (!/0 flow entries/.test(r.stderr)) warnings.push(`conntrack ${args.join(" ")}: ${r.stderr.trim()}`);
  }
  return { deleted, warnings };
}
