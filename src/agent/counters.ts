import { connectionFlowRecords, type Ruleset } from "../dataplane/index.js";
import { counterFlowRecords, type CounterValues } from "../dataplane/counters.js";
import type { PolicySet } from "../engine/index.js";
import { readCounterValues } from "./apply.js";
import { ACCOUNTING_SYSCTL, conntrackAccounting, parseConntrack } from "./conntrack.js";
import type { CommandRunner } from "./exec.js";

/** The agent's counters as the kernel holds them now (`nft -j list counters`). */
export async function readCounters(run: CommandRunner, table: string): Promise<{ counters: Map<string, { packets: number; bytes: number }> } | { error: string }> {
  const probe = await run("nft", ["list", "table", "inet", table]);
  if (probe.code !== 0) return { error: `cannot read table inet ${table}: ${probe.stderr.trim() || `nft exited with status ${probe.code}`} (has the agent applied a ruleset here?)` };
  return { counters: await readCounterValues(run, table) };
}

/**
 * `agent counters --output flows`: aggregated flow records. The live connections (`conntrack -L`) with their peers,
 * aggregated as Felix aggregates allowed flows (dataplane/flows.ts), with their bytes and packets from conntrack
 * accounting; and, since a denied connection never enters conntrack, one record per enforced deny counter that was
 * hit (peer unknown). Without conntrack (not installed, no permission) every counter that was hit becomes a record,
 * as counters alone can say, and a warning says why. Accounting off (someone turned it off after the ruleset turned
 * it on) is a warning too: the live records' bytes and packets are then 0.
 */
export async function aggregatedFlows(
  run: CommandRunner,
  c: { ruleset: Ruleset; set: PolicySet; values: CounterValues; nowMs: number },
): Promise<{ records: Array<Record<string, unknown>>; warnings: string[] }> {
  const model = c.set.version.model;
  const list = await run("conntrack", ["-L"]);
  if (list.code !== 0) {
    const why = list.stderr.trim() || `conntrack exited with status ${list.code}`;
    return { records: counterFlowRecords(c.ruleset, c.values, model, c.nowMs), warnings: [`conntrack -L failed (${why}): the records are the counters' only, without peers`] };
  }
  const warnings: string[] = [];
  const accounting = await conntrackAccounting(run);
  if (accounting === "off") warnings.push(`conntrack accounting is off (${ACCOUNTING_SYSCTL} is 0): bytes and packets of live connections are 0; reloading the agent's ruleset turns it on for connections that begin after that`);
  else if (accounting !== "on") warnings.push(`cannot read ${ACCOUNTING_SYSCTL} (${accounting.error}): bytes and packets of live connections may be 0`);
  const live = connectionFlowRecords(c.ruleset, c.set, parseConntrack(list.stdout), model, c.nowMs);
  const denied = { hash: c.ruleset.hash, counters: c.ruleset.counters.filter((k) => k.mode === "enforced" && k.action === "deny") };
  return { records: [...live, ...counterFlowRecords(denied, c.values, model, c.nowMs)], warnings };
}
