import { readCounterValues } from "./apply.js";
import type { CommandRunner } from "./exec.js";

/** The agent's counters as the kernel holds them now (`nft -j list counters`). */
export async function readCounters(run: CommandRunner, table: string): Promise<{ counters: Map<string, { packets: number; bytes: number }> } | { error: string }> {
  const probe = await run("nft", ["list", "table", "inet", table]);
  if (probe.code !== 0) return { error: `cannot read table inet ${table}: ${probe.stderr.trim() || `nft exited with status ${probe.code}`} (has the agent applied a ruleset here?)` };
  return { counters: await readCounterValues(run, table) };
}
