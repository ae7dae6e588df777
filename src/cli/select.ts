import { inventoryNamespaceLabels } from "../flows/inventory.js";
import type { Command } from "commander";
import { EngineUniverse, PolicySet, type Endpoint } from "../engine/index.js";
import { endpointForPod } from "../impact/endpoint-spec.js";
import { readInventory } from "../io/inventory.js";
import { hasErrors } from "../policy/index.js";
import { renderDiagnosticsText } from "../report/diagnostics.js";
import { parseSelector, SelectorError } from "../selector/index.js";
import { selectEndpoints, type SelectTarget } from "../impact/select.js";
import { noMatchHint } from "./select-hint.js";
import { calicoVersion, loadPolicies, outputFormat, policyInputOptions, type PolicyInputOptions, stderrNote } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";

/** `tierguard select`: which pods and network sets a selector, or a policy, applies to. */
interface SelectOptions extends PolicyInputOptions {
  policies?: string[];
  inventory: string;
  selector?: string;
  policy?: string;
  output: string;
}

export function registerSelect(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command("select")
    .description("list the endpoints a selector matches, or a policy applies to")
    .option("--policies <paths...>", "policy files or directories: needed for --policy; with --selector, their network sets are matched too")
    .requiredOption("--inventory <file>", "kubectl get namespaces,pods,serviceaccounts -A -o yaml (or -o json)")
    .option("--selector <expr>", "a Calico selector, evaluated on each endpoint's labels (implicit labels included)")
    .option("--policy <name>", "a policy: NAME, NAMESPACE/NAME, or KIND/[NAMESPACE/]NAME")
    .option("-o, --output <format>", "text or json", "text");
  for (const o of policyInputOptions()) cmd.addOption(o);
  cmd.action(async (opts: SelectOptions) => setExit(await select(opts, io)));
}

async function select(opts: SelectOptions, io: CliIo): Promise<number> {
  const output = outputFormat(opts.output, ["text", "json"] as const);
  if ((opts.selector === undefined) === (opts.policy === undefined)) throw new UsageError("give exactly one of --selector and --policy");
  if (opts.selector !== undefined) {
    try {
      parseSelector(opts.selector);
    } catch (e) {
      if (e instanceof SelectorError) {
        const at = e.offset < opts.selector.length ? `: ${opts.selector.slice(e.offset, e.offset + 20)}` : ", the end of the selector";
        throw new UsageError(`--selector: ${e.message} (at character ${e.offset + 1}${at})`);
      }
      throw e;
    }
  }
  if (opts.policy !== undefined && opts.policies === undefined) throw new UsageError("--policy needs --policies (the files that define it)");
  // Without --policies a selector is matched against the inventory's pods only.
  const loaded = opts.policies ? await loadPolicies(opts.policies, opts, io.cwd, stderrNote(io)) : { resources: [], diagnostics: [], version: calicoVersion(opts.calicoVersion) };
  if (hasErrors(loaded.diagnostics)) {
    io.stderr(renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === "error")) + "\n");
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
    namespaceLabels: inventoryNamespaceLabels(inventory),
  });
  const pods: Endpoint[] = inventory.pods.map((p) => endpointForPod(p, inventory, universe));
  const target: SelectTarget = opts.selector !== undefined ? { selector: opts.selector } : { policy: opts.policy! };
  const result = selectEndpoints(set, pods, target);
  if ("error" in result) throw new UsageError(`--policy: ${result.error}`);
  const known = () => [...inventory.pods.map((p) => p.labels), ...loaded.resources.filter((r) => r.kind === "NetworkSet" || r.kind === "GlobalNetworkSet").map((r) => r.metadata.labels ?? {})];
  const hint = result.matches.length === 0 && opts.selector !== undefined ? noMatchHint(parseSelector(opts.selector).root, known()) : undefined;
  if (output === "json") {
    io.stdout(JSON.stringify(hint ? { ...result, hint } : result, null, 2) + "\n");
  } else {
    io.stdout(`${result.description}\n`);
    for (const m of result.matches) io.stdout(`  ${m.kind} ${m.name}${m.directions ? ` (${m.directions.join(", ")})` : ""}${m.uncertain ? " [uncertain]" : ""}\n`);
    io.stdout(`${result.matches.length} of ${result.candidates} endpoints\n`);
    if (hint) io.stdout(hint + "\n");
  }
  return EXIT_OK;
}
