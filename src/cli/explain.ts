import { inventoryNamespaceLabels } from "../flows/inventory.js";
import { Option, type Command } from "commander";
import { EngineUniverse, PolicySet } from "../engine/index.js";
import { explainFlow } from "../engine/explain.js";
import { parseFlowProtocol, protocolName } from "../engine/protocol.js";
import { parseLabelArg, resolveEndpointSpec } from "../impact/endpoint-spec.js";
import { readInventory } from "../io/inventory.js";
import { hasErrors } from "../policy/index.js";
import { PORT_PROTOCOLS } from "../policy/index.js";
import { renderDiagnosticsText } from "../report/diagnostics.js";
import { renderExplanationText } from "../report/explain.js";
import { loadPolicies, outputFormat, policyInputOptions, type PolicyInputOptions, stderrNote } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";

/** `tierguard explain`: one connection, every tier and policy considered, and why each matched or not. */
interface ExplainOptions extends PolicyInputOptions {
  policies: string[];
  inventory?: string;
  from: string;
  to: string;
  port?: string;
  protocol: string;
  fromLabels?: string;
  toLabels?: string;
  output: string;
  stagedDelete: string;
}

export function registerExplain(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command("explain")
    .description("explain the verdict for one connection: every tier and policy considered, and why it matched or not")
    .requiredOption("--policies <paths...>", "policy files or directories")
    .option("--inventory <file>", "kubectl get namespaces,pods,serviceaccounts -A -o yaml (or -o json)")
    .requiredOption("--from <endpoint>", "source: NAMESPACE/POD (a pod name, or a prefix only replicas share, such as a Deployment's name) or an IP address")
    .requiredOption("--to <endpoint>", "destination: NAMESPACE/POD or an IP address")
    .option("--port <n>", "destination port (omit for protocols without ports)")
    .option("--protocol <p>", "TCP, UDP, SCTP, ICMP, ICMPv6 or a number", "TCP")
    .option("--from-labels <k=v,...>", "labels of the source pod, when it is not in an inventory")
    .option("--to-labels <k=v,...>", "labels of the destination pod, when it is not in an inventory")
    .option("-o, --output <format>", "text or json", "text")
    .addOption(new Option("--staged-delete <mode>", "stagedAction Delete: preview or ignore").choices(["preview", "ignore"]).default("preview"));
  for (const o of policyInputOptions()) cmd.addOption(o);
  cmd.action(async (opts: ExplainOptions) => setExit(await explain(opts, io)));
}

async function explain(opts: ExplainOptions, io: CliIo): Promise<number> {
  const output = outputFormat(opts.output, ["text", "json"] as const);
  const protocol = parseFlowProtocol(opts.protocol);
  if (protocol === undefined) throw new UsageError(`--protocol "${opts.protocol}" is not a protocol name or number`);
  let port: number | undefined;
  if (opts.port !== undefined) {
    if (!/^\d+$/.test(opts.port) || Number(opts.port) < 1 || Number(opts.port) > 65535) throw new UsageError(`--port must be 1-65535, not "${opts.port}"`);
    port = Number(opts.port);
    if (!PORT_PROTOCOLS.has(protocol)) throw new UsageError(`--port applies to TCP, UDP and SCTP; ${protocolName(protocol)} has no ports`);
  } else if (PORT_PROTOCOLS.has(protocol)) {
    throw new UsageError(`--port is required for ${protocolName(protocol)} (a connection has a destination port)`);
  }
  const labels = (text: string | undefined, flag: string) => {
    if (text === undefined) return undefined;
    const l = parseLabelArg(text);
    if ("error" in l) throw new UsageError(`${flag}: ${l.error}`);
    return l;
  };
  const fromLabels = labels(opts.fromLabels, "--from-labels");
  const toLabels = labels(opts.toLabels, "--to-labels");

  const loaded = await loadPolicies(opts.policies, opts, io.cwd, stderrNote(io));
  if (hasErrors(loaded.diagnostics)) {
    io.stderr(renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === "error")) + "\n");
    io.stderr("tierguard: the policies have errors (run tierguard validate)\n");
    return EXIT_INVALID;
  }
  const inv = opts.inventory ? await readInventory(opts.inventory, { cwd: io.cwd }) : undefined;
  if (inv && !inv.inventory) {
    io.stderr(renderDiagnosticsText(inv.diagnostics) + "\n");
    throw new InputError(`cannot use the inventory ${opts.inventory}`);
  }
  const universe = new EngineUniverse();
  const inventory = inv?.inventory;
  const set = new PolicySet(loaded.resources, {
    version: loaded.version,
    universe,
    stagedDelete: opts.stagedDelete as "preview" | "ignore",
    namespaceLabels: inventoryNamespaceLabels(inventory),
  });
  const src = resolveEndpointSpec(opts.from, { inventory, universe, labels: fromLabels });
  const dst = resolveEndpointSpec(opts.to, { inventory, universe, labels: toLabels });
  // An endpoint that is malformed or names nothing is how the command was called: a usage error, as a bad --selector.
  if ("error" in src) throw new UsageError(`--from: ${src.error}`);
  if ("error" in dst) throw new UsageError(`--to: ${dst.error}`);
  const x = explainFlow(set, { src: src.endpoint, dst: dst.endpoint, protocol, dstPort: port });
  const heading = `${src.description} -> ${dst.description}${port !== undefined ? `:${port}` : ""}/${protocolName(protocol)}`;
  if (output === "json") {
    const { evaluation: _evaluation, ...rest } = x;
    io.stdout(JSON.stringify({ from: src.description, to: dst.description, port: port ?? null, protocol: protocolName(protocol), ...rest }, null, 2) + "\n");
  } else {
    io.stdout(renderExplanationText(x, heading));
  }
  return EXIT_OK;
}

