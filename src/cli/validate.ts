import type { Command } from "commander";
import { hasErrors } from "../policy/index.js";
import { countDiagnostics, diagnosticsSummaryLine, renderDiagnosticsText } from "../report/index.js";
import { loadPolicies, outputFormat, policyInputOptions, type PolicyInputOptions } from "./common.js";
import { EXIT_INVALID, EXIT_OK, type CliIo } from "./io.js";

/** `tierguard validate PATH...`: Calico's and Kubernetes' validation rules, every problem at file:line:col. */
export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command("validate")
    .description("validate Calico and Kubernetes network-policy files (YAML or JSON, files or directories)")
    .argument("<paths...>", "policy files or directories")
    .option("-o, --output <format>", "text or json", "text")
    .option("--quiet", "print errors only, not warnings and notices");
  for (const o of policyInputOptions()) cmd.addOption(o);
  cmd.action(async (paths: string[], opts: PolicyInputOptions & { output: string; quiet?: boolean }) => {
    const format = outputFormat(opts.output, ["text", "json"] as const);
    const loaded = await loadPolicies(paths, opts, io.cwd);
    const counts = countDiagnostics(loaded.diagnostics);
    const shown = opts.quiet ? loaded.diagnostics.filter((d) => d.severity === "error") : loaded.diagnostics;
    if (format === "json") {
      io.stdout(JSON.stringify({ diagnostics: shown, summary: { ...counts, files: loaded.fileCount, resources: loaded.resources.length, calicoVersion: loaded.version.model } }, null, 2) + "\n");
    } else {
      if (shown.length > 0) io.stdout(renderDiagnosticsText(shown) + "\n");
      io.stdout(diagnosticsSummaryLine(counts, loaded.fileCount, loaded.resources.length) + "\n");
    }
    setExit(hasErrors(loaded.diagnostics) ? EXIT_INVALID : EXIT_OK);
  });
}
