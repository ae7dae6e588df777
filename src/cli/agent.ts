// Not the folder's index: it re-exports the informers, and with them @kubernetes/client-node (about a second to load),
// which only the cluster source needs (chooseSource imports it then).
import { applyRuleset } from "../agent/apply.js";
import { aggregatedFlows, readCounters } from "../agent/counters.js";
import { NodeAgent, type ClusterSnapshot, type ClusterSource } from "../agent/daemon.js";
import { runCommand } from "../agent/exec.js";
import { FileSource } from "../agent/file-source.js";
import { startMetricsServer } from "../agent/metrics-server.js";
import { readNodePods } from "../agent/node-pods.js";
import { Option, type Command } from "commander";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { compileRuleset, DEFAULT_TABLE, interfacePrefixProblem, type Ruleset } from "../dataplane/index.js";
import { counterReport } from "../dataplane/counters.js";
import { EngineUniverse, PolicySet } from "../engine/index.js";
import { readInventory } from "../io/inventory.js";
import { hasErrors } from "../policy/index.js";
import { renderDiagnosticsText } from "../report/diagnostics.js";
import { calicoVersion, loadPolicies, outputFormat, policyInputOptions, positiveInt, type PolicyInputOptions, stderrNote } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";

/**
 * `tierguard agent`: the node agent. Without a command it runs (watch, recompile, apply, serve /metrics); `compile`
 * prints the node's nftables ruleset, `apply --once` checks and loads it atomically, `counters` reads the hits back
 * as policy hits or flow records.
 */
interface AgentOptions extends PolicyInputOptions {
  policies: string[];
  inventory: string;
  node: string;
  table: string;
  stagedDelete: string;
  interfacePrefix?: string;
}

/**
 * `files: "optional"`: the long-running agent reads the cluster through informers when neither --policies nor
 * --inventory is given. `node: "checked"` on `agent` itself: commander checks a command's required options for its
 * subcommands too, so there --node is checked when the agent runs (runCommandLoop), not by commander.
 */
function common(cmd: Command, files: "required" | "optional" = "required", node: "required" | "checked" = "required"): Command {
  const policies = "policy files or directories";
  const inventory = "kubectl get namespaces,pods,serviceaccounts -A -o yaml (or -o json)";
  if (files === "required") cmd.requiredOption("--policies <paths...>", policies).requiredOption("--inventory <file>", inventory);
  else cmd.option("--policies <paths...>", `${policies} (with --inventory; without both, the cluster is watched)`).option("--inventory <file>", inventory);
  const nodeHelp = "this node's name: its pods are those whose spec.nodeName it is";
  if (node === "required") cmd.requiredOption("--node <name>", nodeHelp);
  else cmd.option("--node <name>", `${nodeHelp} (required without a command)`);
  cmd
    .option("--table <name>", "the nftables table (inet family) the agent owns", DEFAULT_TABLE)
    .option("--interface-prefix <prefix>", "Calico's host veth names: a pod without the tierguard.dev/interface annotation is held to PREFIX + the first 11 hex digits of sha1(\"<namespace>.<pod>\") (Calico's default prefix: cali; 1 to 4 characters). Only where Calico's CNI plugin made the veths: on a routed node a wrong name drops the pod's traffic (bridged traffic is never checked)")
    .addOption(new Option("--staged-delete <mode>", "stagedAction Delete: preview or ignore").choices(["preview", "ignore"]).default("preview"));
  for (const o of policyInputOptions()) cmd.addOption(o);
  return cmd;
}

export function registerAgent(program: Command, io: CliIo, setExit: (code: number) => void): void {
  // `tierguard agent [options]` is the long-running agent (the form); `agent run` says the same. Positional
  // options: the agent's own options are read only before a subcommand, so `agent compile --node n` keeps its --node.
  const agent = runOptions(common(program.command("agent"), "optional", "checked"))
    .description("the node agent: without a command, the long-running agent (recompile and apply on every change, resync periodically, serve /metrics); with one, compile policy to nftables, apply it once, read its counters")
    .usage("[options] | <command> [options]")
    .enablePositionalOptions()
    .action(async (opts: RunOptions) => setExit(await runCommandLoop(opts, io)));
  common(agent.command("compile").description("print this node's ruleset (an nft -f file)"))
    .option("--stats", "print rule and set-element counts to stderr")
    .action(async (opts: AgentOptions & { stats?: boolean }) => setExit(await compileCommand(opts, io)));
  common(agent.command("apply").description("check and load this node's ruleset in one transaction"))
    .requiredOption("--once", "apply once and exit (the long-running agent needs a Kubernetes client)")
    .option("--no-conntrack", "keep established connections the new ruleset denies")
    .action(async (opts: AgentOptions & { conntrack: boolean }) => setExit(await applyCommand(opts, io)));
  common(agent.command("counters").description("hits per policy and rule, enforced and pending"))
    .option("-o, --output <format>", "json, or flows: aggregated Calico Enterprise flow-log records (live connections from conntrack, denied ones from the counters)", "json")
    .action(async (opts: AgentOptions & { output: string }) => setExit(await countersCommand(opts, io)));
  runOptions(common(agent.command("run").description("the long-running agent, as `tierguard agent [options]`"), "optional"))
    .action(async (opts: RunOptions) => setExit(await runCommandLoop(opts, io)));
  for (const sub of agent.commands) sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
}

/** The long-running agent's options, on `agent` itself and on `agent run`. */
function runOptions(cmd: Command): Command {
  return cmd
    .option("--kubeconfig <file>", "watch the cluster with this kubeconfig (default: in-cluster service account) when no files are given")
    .option("--no-annotate-node", "in a cluster, do not record the enforced hash on the Node (annotation tierguard.dev/ruleset-hash)")
    .option("--no-conntrack", "keep established connections a new ruleset denies")
    .option("--metrics-port <n>", "port of /metrics and /healthz", positiveInt("--metrics-port"), 9469)
    .option("--metrics-host <addr>", "address to serve metrics on", "0.0.0.0")
    .option("--status-file <file>", "write the enforced hash here after every apply")
    .option("--min-interval <s>", "least seconds between two applies (bursts coalesce)", positiveInt("--min-interval"), 1)
    .option("--resync <s>", "seconds between periodic resyncs", positiveInt("--resync"), 300);
}

interface Compiled {
  ruleset: Ruleset;
  set: PolicySet;
}

/** Policies, inventory and this node's pods, read and checked; a number is the exit code after a printed problem. */
function checkTable(table: string): void {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(table)) throw new UsageError(`--table must be a letter then letters, digits, - or _ (at most 64), not "${table}"`);
}

function checkInterfacePrefix(prefix: string | undefined): void {
  const problem = prefix === undefined ? undefined : interfacePrefixProblem(prefix);
  if (problem) throw new UsageError(`--interface-prefix: ${problem}: "${prefix}"`);
}

async function loadState(opts: AgentOptions, io: CliIo): Promise<ClusterSnapshot | { error: string; code: number }> {
  checkTable(opts.table);
  checkInterfacePrefix(opts.interfacePrefix);
  const loaded = await loadPolicies(opts.policies, opts, io.cwd, stderrNote(io));
  if (hasErrors(loaded.diagnostics)) {
    const text = renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === "error"));
    return { error: `${text}\ntierguard: the policies have errors (run tierguard validate)`, code: EXIT_INVALID };
  }
  const inv = await readInventory(opts.inventory, { cwd: io.cwd });
  if (!inv.inventory) return { error: `${renderDiagnosticsText(inv.diagnostics)}\ntierguard: cannot use the inventory ${opts.inventory}`, code: EXIT_INVALID };
  const local = await readNodePods(opts.inventory, opts.node, io.cwd);
  return { resources: loaded.resources, inventory: inv.inventory, localPods: local.pods, interfaces: local.interfaces, version: loaded.version };
}

async function compileFor(opts: AgentOptions, io: CliIo): Promise<Compiled | number> {
  const state = await loadState(opts, io);
  if ("error" in state) {
    io.stderr(`${state.error}\n`);
    return state.code;
  }
  const { inventory, localPods, interfaces } = state;
  const universe = new EngineUniverse();
  const set = new PolicySet(state.resources, {
    version: state.version,
    universe,
    stagedDelete: opts.stagedDelete as "preview" | "ignore",
    namespaceLabels: new Map([...inventory.namespaces].map(([k, v]) => [k, v.labels])),
  });
  const result = compileRuleset({ policySet: set, universe, inventory, localPods, interfaces, interfacePrefix: opts.interfacePrefix }, { table: opts.table });
  if (!result.ok) {
    const diagnostics = result.refusals.map((r) => ({ code: r.code, severity: "error" as const, message: r.message, file: r.file, line: r.line, col: r.col, path: r.path, resource: r.policy }));
    io.stderr(`${renderDiagnosticsText(diagnostics)}\n`);
    io.stderr(`tierguard: refusing to compile a ruleset for node ${opts.node}: ${result.refusals.length} problem(s) above; nothing was approximated\n`);
    return EXIT_INVALID;
  }
  for (const w of result.ruleset.warnings) io.stderr(`warning: ${w}\n`);
  if (localPods.size === 0) io.stderr(`warning: no pod of the inventory has spec.nodeName ${opts.node}\n`);
  return { ruleset: result.ruleset, set };
}

interface RunOptions extends Omit<AgentOptions, "policies" | "inventory"> {
  /** Both or neither: without them the agent watches the cluster. */
  policies?: string[];
  inventory?: string;
  kubeconfig?: string;
  annotateNode: boolean;
  conntrack: boolean;
  metricsPort: number;
  metricsHost: string;
  statusFile?: string;
  minInterval: number;
  resync: number;
}

type Source = { source: ClusterSource; reportHash?: (hash: string) => Promise<void> };

/** Files when --policies and --inventory are given; otherwise informers on the cluster (kubeconfig or in-cluster). */
async function chooseSource(opts: RunOptions, io: CliIo, log: (line: string) => void): Promise<Source | number> {
  if ((opts.policies === undefined) !== (opts.inventory === undefined)) throw new UsageError("give both --policies and --inventory (files), or neither (watch the cluster)");
  if (opts.policies === undefined) {
    checkTable(opts.table);
    checkInterfacePrefix(opts.interfacePrefix);
    const { kubeAgentSource } = await import("../agent/kube-informers.js");
    let kube: ReturnType<typeof kubeAgentSource>;
    try {
      kube = kubeAgentSource({ kubeconfig: opts.kubeconfig && resolve(io.cwd, opts.kubeconfig), node: opts.node, version: calicoVersion(opts.calicoVersion), log });
    } catch (e) {
      throw new InputError(`cannot reach the cluster: ${(e as Error).message}`);
    }
    return { source: kube.source, reportHash: opts.annotateNode ? kube.reportHash : undefined };
  }
  const files: AgentOptions = { ...opts, policies: opts.policies, inventory: opts.inventory! };
  const first = await loadState(files, io);
  if ("error" in first) {
    io.stderr(`${first.error}\n`);
    return first.code;
  }
  const source = new FileSource([...files.policies, files.inventory].map((p) => resolve(io.cwd, p)), async () => {
    const s = await loadState(files, io);
    return "error" in s ? { error: s.error } : s;
  });
  return { source };
}

/** `tierguard agent [options]` (or `agent run`): the long-running agent over files, or over the cluster's informers. */
async function runCommandLoop(opts: RunOptions, io: CliIo): Promise<number> {
  if (!opts.node) throw new UsageError("give --node NAME (this node's name) to run the agent, or a command: compile, apply, counters, run (tierguard agent --help)");
  const log = (line: string) => io.stderr(`${new Date(io.now()).toISOString()} ${line}\n`);
  const chosen = await chooseSource(opts, io, log);
  if (typeof chosen === "number") return chosen;
  const { source, reportHash } = chosen;
  const writeStatus = opts.statusFile ? (hash: string) => writeFile(opts.statusFile!, JSON.stringify({ node: opts.node, hash, at: new Date(io.now()).toISOString() }) + "\n") : undefined;
  const agent = new NodeAgent(source, {
    node: opts.node,
    table: opts.table,
    interfacePrefix: opts.interfacePrefix,
    run: runCommand,
    conntrack: opts.conntrack,
    minIntervalMs: opts.minInterval * 1000,
    resyncMs: opts.resync * 1000,
    retryMs: 5000,
    log,
    onApplied: writeStatus || reportHash ? async (hash) => void (await Promise.all([writeStatus?.(hash), reportHash?.(hash)])) : undefined,
  });
  const server = await startMetricsServer(opts.metricsPort, opts.metricsHost, () => agent.metrics(), () => agent.status().hash !== undefined && agent.status().lastError === undefined);
  await agent.start();
  io.stderr(`tierguard agent on node ${opts.node}: metrics on http://${opts.metricsHost}:${opts.metricsPort}/metrics\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      agent.stop();
      server.close(() => done());
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  return EXIT_OK;
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
  else {
    const flows = await aggregatedFlows(runCommand, { ruleset: c.ruleset, set: c.set, values: values.counters, nowMs: io.now() });
    for (const w of flows.warnings) io.stderr(`warning: ${w}\n`);
    for (const rec of flows.records) io.stdout(JSON.stringify(rec) + "\n");
  }
  return EXIT_OK;
}
