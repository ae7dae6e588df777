import { Option, type Command } from "commander";
import { applyRuleset } from "../agent/apply.js";
import { readCounters } from "../agent/counters.js";
import { runCommand } from "../agent/exec.js";
import { readNodePods } from "../agent/node-pods.js";
import { compileRuleset, DEFAULT_TABLE, type Ruleset } from "../dataplane/index.js";
import { counterReport, counterFlowRecords } from "../dataplane/counters.js";
import { EngineUniverse, PolicySet } from "../engine/index.js";
import { readInventory } from "../io/inventory.js";
import { hasErrors } from "../policy/index.js";
import { renderDiagnosticsText } from "../report/diagnostics.js";
import { loadPolicies, outputFormat, policyInputOptions, type PolicyInputOptions } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";

/**
 * `tierguard agent`: the node agent's one-shot commands. `compile` prints the node's nftables ruleset, `apply
 * --once` checks and loads it atomically, `counters` reads the hits back as policy hits or flow records.
 */
interface AgentOptions extends PolicyInputOptions {
  policies: string[];
  inventory: string;
  node: string;
  table: string;
  stagedDelete: string;
}

function common(cmd: Command): Command {
  cmd
    .requiredOption("--policies <paths...>", "policy files or directories")
    .requiredOption("--inventory <file>", "kubectl get namespaces,pods,serviceaccounts -A -o yaml (or -o json)")
    .requiredOption("--node <name>", "this node's name: its pods are those whose spec.nodeName it is")
    .option("--table <name>", "the nftables table (inet family) the agent owns", DEFAULT_TABLE)
    .addOption(new Option("--staged-delete <mode>", "stagedAction Delete: preview or ignore").choices(["preview", "ignore"]).default("preview"));
  for (const o of policyInputOptions()) cmd.addOption(o);
  return cmd;
}

export function registerAgent(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const agent = program.command("agent").description("the node agent: compile policy to nftables, apply it, read its counters");
  common(agent.command("compile").description("print this node's ruleset (an nft -f file)"))
    .option("--stats", "print rule and set-element counts to stderr")
    .action(async (opts: AgentOptions & { stats?: boolean }) => setExit(await compileCommand(opts, io)));
  common(agent.command("apply").description("check and load this node's ruleset in one transaction"))
    .requiredOption("--once", "apply once and exit (the long-running agent needs a Kubernetes client)")
    .option("--no-conntrack", "keep established connections the new ruleset denies")
    .action(async (opts: AgentOptions & { conntrack: boolean }) => setExit(await applyCommand(opts, io)));
  common(agent.command("counters").description("hits per policy and rule, enforced and pending"))
    .option("-o, --output <format>", "json or flows (Calico Enterprise flow-log records)", "json")
    .action(async (opts: AgentOptions & { output: string }) => setExit(await countersCommand(opts, io)));
  for (const sub of agent.commands) sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
}

interface Compiled {
  ruleset: Ruleset;
  set: PolicySet;
}

async function compileFor(opts: AgentOptions, io: CliIo): Promise<Compiled | number> {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(opts.table)) throw new UsageError(`--table must be a letter then letters, digits, - or _ (at most 64), not "${opts.table}"`);
  const loaded = await loadPolicies(opts.policies, opts, io.cwd);
  if (hasErrors(loaded.diagnostics)) {
    io.stderr(renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === "error")) + "\n");
    io.stderr("tierguard: the policies have errors (run tierguard validate)\n");
    return EXIT_INVALID;
  }
  const inv = await readInventory(opts.inventory, { cwd: io.cwd });
  if (!inv.inventory) {
    io.stderr(renderDiagnosticsText(inv.diagnostics) + "\n");
    throw new InputError(`cannot use the inventory ${opts.inventory}`);
  }
  const inventory = inv.inventory;
  const universe = new EngineUniverse();
  const set = new PolicySet(loaded.resources, {
    version: loaded.version,
    universe,
    stagedDelete: opts.stagedDelete as "preview" | "ignore",
    namespaceLabels: new Map([...inventory.namespaces].map(([k, v]) => [k, v.labels])),
  });
  const localPods = await readNodePods(opts.inventory, opts.node, io.cwd);
  const result = compileRuleset({ policySet: set, universe, inventory, localPods }, { table: opts.table });
  if (!result.ok) {
    for (const r of result.refusals) io.stderr(`error [${r.code}] ${r.policy ?? ""}${r.path ? ` ${r.path}` : ""}: ${r.message}\n`);
    io.stderr(`tierguard: refusing to compile a ruleset for node ${opts.node}: ${result.refusals.length} problem(s) above; nothing was approximated\n`);
    return EXIT_INVALID;
  }
  for (const w of result.ruleset.warnings) io.stderr(`warning: ${w}\n`);
  if (localPods.size === 0) io.stderr(`warning: no pod of the inventory has spec.nodeName ${opts.node}\n`);
  return { ruleset: result.ruleset, set };
}

async function compileCommand(opts: AgentOptions & { stats?: boolean }, io: CliIo): Promise<number> {
  const c = await compileFor(opts, io);
  if (typeof c === "number") return c;
  io.stdout(c.ruleset.text);
  if (opts.stats) io.stderr(`${JSON.stringify({ hash: c.ruleset.hash, ...c.ruleset.stats })}\n`);
  return EXIT_OK;
}

async function applyCommand(opts: AgentOptions & { conntrack: boolean }, io: CliIo): Promise<number> {
  const c = await compileFor(opts, io);
  if (typeof c === "number") return c;
  const r = await applyRuleset(c.ruleset, c.set, { run: runCommand, conntrack: opts.conntrack });
  if (!r.ok) {
    io.stderr(`tierguard: nft ${r.stage === "check" ? "rejected the ruleset (nft -c)" : "failed to load the ruleset"}; the previous table is kept:\n${r.message}\n`);
    return EXIT_INVALID;
  }
  for (const w of r.warnings) io.stderr(`warning: ${w}\n`);
  const s = c.ruleset.stats;
  io.stdout(`applied ruleset ${r.hash} to table inet ${opts.table}: ${s.localEndpoints} local endpoints, ${s.policies} policies, ${s.rules} rules, ${s.setElements} set elements; ${r.carried} counters carried over; ${r.conntrackDeleted} denied connections ended\n`);
  return EXIT_OK;
}

async function countersCommand(opts: AgentOptions & { output: string }, io: CliIo): Promise<number> {
  const output = outputFormat(opts.output, ["json", "flows"] as const);
  const c = await compileFor(opts, io);
  if (typeof c === "number") return c;
  const values = await readCounters(runCommand, opts.table);
  if ("error" in values) throw new InputError(values.error);
  if (output === "json") io.stdout(JSON.stringify(counterReport(c.ruleset, values.counters, c.set.version.model), null, 2) + "\n");
  else for (const rec of counterFlowRecords(c.ruleset, values.counters, c.set.version.model, io.now())) io.stdout(JSON.stringify(rec) + "\n");
  return EXIT_OK;
}
