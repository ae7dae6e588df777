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
  /**
   * Accounting (`packets=N bytes=M` after each tuple, present when net.netfilter.nf_conntrack_acct was on when the
   * connection began): the original direction (src → dst) and the reply. Undefined without accounting.
   */
  orig?: { packets: number; bytes: number };
  reply?: { packets: number; bytes: number };
}

/**
 * `conntrack -L` lines: `tcp 6 431999 ESTABLISHED src=A dst=B sport=P dport=Q [packets=N bytes=M] [UNREPLIED]
 * src=B dst=A sport=Q dport=P [packets=N bytes=M] [ASSURED] mark=0 use=1`. The first tuple is the original
 * direction, the second the reply; each tuple's counters follow it.
 */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    // With -o extended the line starts with the layer-3 name and number (`ipv4 2 tcp 6 ...`).
    const at = fields[0] === "ipv4" || fields[0] === "ipv6" ? 2 : 0;
    const protocol = Number(fields[at + 1]);
    if (!Number.isInteger(protocol)) continue;
    const tuples = tupleFields(fields);
    const first = (key: string) => tuples[0].get(key);
    const src = first("src");
    const dst = first("dst");
    if (!src || !dst) continue;
    const sport = first("sport");
    const dport = first("dport");
    out.push({ protocol, src, dst, sport: sport ? Number(sport) : undefined, dport: dport ? Number(dport) : undefined, ...traffic("orig", tuples[0]), ...traffic("reply", tuples[1]) });
  }
  return out;
}

/** `key=value` fields per tuple: a new tuple begins at each `src=` (the first key conntrack prints for a tuple). */
function tupleFields(fields: readonly string[]): Array<Map<string, string>> {
  const tuples: Array<Map<string, string>> = [];
  for (const f of fields) {
    const eq = f.indexOf("=");
    if (eq <= 0) continue;
    const key = f.slice(0, eq);
    if (key === "src") tuples.push(new Map());
    const t = tuples[tuples.length - 1];
    if (t && !t.has(key)) t.set(key, f.slice(eq + 1));
  }
  while (tuples.length < 2) tuples.push(new Map());
  return tuples;
}

function traffic(direction: "orig" | "reply", t: Map<string, string>): Partial<Pick<ConntrackEntry, "orig" | "reply">> {
  const packets = Number(t.get("packets"));
  const bytes = Number(t.get("bytes"));
  if (!t.has("packets") || !t.has("bytes") || !Number.isSafeInteger(packets) || !Number.isSafeInteger(bytes)) return {};
  return { [direction]: { packets, bytes } };
}

/** Where the kernel says whether conntrack accounting is on in this network namespace. */
export const ACCOUNTING_SYSCTL = "/proc/sys/net/netfilter/nf_conntrack_acct";

/**
 * Whether conntrack accounting is on: "on", "off", or why it could not be read. The agent's ruleset turns it on
 * when it loads (dataplane ACCOUNTING_CHAIN), for connections that begin after that.
 */
export async function conntrackAccounting(run: CommandRunner): Promise<"on" | "off" | { error: string }> {
  const r = await run("cat", [ACCOUNTING_SYSCTL]);
  const value = r.stdout.trim();
  if (r.code === 0 && (value === "0" || value === "1")) return value === "1" ? "on" : "off";
  return { error: r.stderr.trim() || `cat exited with status ${r.code}` };
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
