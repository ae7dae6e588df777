import { renderRuleset, type Ruleset } from "../dataplane/index.js";
import type { PolicySet } from "../engine/index.js";
import { clearDeniedConnections } from "./conntrack.js";
import type { CommandRunner } from "./exec.js";

/**
 * `agent apply --once`: check the ruleset with `nft -c`, then replace the table in one `nft -f` transaction, so
 * the node is never without policy and a failed check or load leaves the previous table in place. Counters of
 * rules that did not change (same counter name: a hash of the rule) are carried over. After a load, established
 * connections the new policy denies are deleted from conntrack, so an allowed-then-denied connection does not live on.
 */
export interface ApplyOptions {
  run: CommandRunner;
  /** Delete conntrack entries of connections the new ruleset denies (default true). */
  conntrack?: boolean;
}

export type ApplyResult =
  | { ok: true; hash: string; carried: number; conntrackDeleted: number; warnings: string[] }
  | { ok: false; stage: "check" | "load"; message: string };

export async function applyRuleset(ruleset: Ruleset, set: PolicySet, options: ApplyOptions): Promise<ApplyResult> {
  const { run } = options;
  const previous = await readCounterValues(run, ruleset.table);
  const counterValues = new Map([...previous].filter(([name]) => ruleset.counters.some((c) => c.name === name)));
  const text = renderRuleset(ruleset, { hash: ruleset.hash, counterValues });
  const check = await run("nft", ["-c", "-f", "/dev/stdin"], text);
  if (check.code !== 0) return { ok: false, stage: "check", message: nftMessage(check.stderr, check.code) };
  const load = await run("nft", ["-f", "/dev/stdin"], text);
  if (load.code !== 0) return { ok: false, stage: "load", message: nftMessage(load.stderr, load.code) };
  const warnings: string[] = [];
  let conntrackDeleted = 0;
  if (options.conntrack ?? true) {
    const r = await clearDeniedConnections(ruleset, set, run);
    conntrackDeleted = r.deleted;
    warnings.push(...r.warnings);
  }
  return { ok: true, hash: ruleset.hash, carried: counterValues.size, conntrackDeleted, warnings };
}

/** Counter values of the table as it is now; empty when there is no table yet. */
export async function readCounterValues(run: CommandRunner, table: string): Promise<Map<string, { packets: number; bytes: number }>> {
  const out = new Map<string, { packets: number; bytes: number }>();
  const r = await run("nft", ["-j", "list", "counters", "table", "inet", table]);
  if (r.code !== 0) return out;
  let doc: { nftables?: Array<{ counter?: { name: string; table: string; packets: number; bytes: number } }> };
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    return out;
  }
  for (const item of doc.nftables ?? []) {
    const c = item.counter;
    if (c && c.table === table) out.set(c.name, { packets: c.packets, bytes: c.bytes });
  }
  return out;
}

function nftMessage(stderr: string, code: number): string {
  const text = stderr.trim();
  if (code === 127) return `${text} (is nftables installed?)`;
  return text.length > 4000 ? `${text.slice(0, 4000)}\n...` : text || `nft exited with status ${code}`;
}
