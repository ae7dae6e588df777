import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../policy/index.js";
import { countDiagnostics, diagnosticsSummaryLine, renderDiagnosticsText } from "../report/index.js";
import { loadPolicies, outputFormat, policyInputOptions, type PolicyInputOptions, stderrNote } from "./common.js";
import { EXIT_INVALID, EXIT_OK, type CliIo } from "./io.js";
import { planText, repositoryPlan, type RepositoryPlan } from "./validate-repo.js";

/**
 * `tierguard validate PATH...`: Calico's and Kubernetes' validation rules, every problem at file:line:col. A path
 * that is a policy repository's root (it holds tierguard.yaml) is read as the review reads it: see validate-repo.ts.
 */
export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command("validate")
    .description("validate Calico and Kubernetes network-policy files (YAML or JSON, files or directories); a repository root with tierguard.yaml is validated as the review reads it")
    .argument("<paths...>", "policy files or directories, or the root of a policy repository")
    .option("-o, --output <format>", "text or json", "text")
    .option("--quiet", "print errors only, not warnings and notices");
  for (const o of policyInputOptions()) cmd.addOption(o);
  cmd.action(async (paths: string[], opts: PolicyInputOptions & { output: string; quiet?: boolean }) => {
    const format = outputFormat(opts.output, ["text", "json"] as const);
    const { expanded, plans } = await expandRepositories(paths, io.cwd);
    // tierguard.yaml's calicoVersion and namespace apply unless the command line gives its own.
    const fromConfig = plans.length === 1 ? plans[0].plan.config : undefined;
    const input = { ...opts };
    if (fromConfig && cmd.getOptionValueSource("calicoVersion") === "default") input.calicoVersion = fromConfig.calicoVersion.text;
    if (fromConfig && cmd.getOptionValueSource("namespace") === "default") input.namespace = fromConfig.namespace;
    const loaded = await loadPolicies(expanded, input, io.cwd, stderrNote(io));
    const diagnostics: Diagnostic[] = plans.length === 0 ? loaded.diagnostics : sortDiagnostics([...loaded.diagnostics, ...plans.flatMap((p) => p.plan.diagnostics)]);
    const files = loaded.fileCount + plans.reduce((n, p) => n + p.plan.testFiles.length + 1, 0);
    const counts = countDiagnostics(diagnostics);
    const shown = opts.quiet ? diagnostics.filter((d) => d.severity === "error") : diagnostics;
    if (format === "json") {
      const repositories = plans.map(({ shown: path, plan }) => ({ path, testFiles: plan.testFiles.length, policyFiles: plan.policyFiles.length, skipped: plan.skipped }));
      io.stdout(JSON.stringify({ diagnostics: shown, summary: { ...counts, files, resources: loaded.resources.length, calicoVersion: loaded.version.model }, ...(plans.length > 0 ? { repositories } : {}) }, null, 2) + "\n");
    } else {
      for (const p of plans) io.stdout(planText(p.plan, p.shown) + "\n");
      if (shown.length > 0) io.stdout(renderDiagnosticsText(shown) + "\n");
      io.stdout(diagnosticsSummaryLine(counts, files, loaded.resources.length) + "\n");
    }
    setExit(hasErrors(diagnostics) ? EXIT_INVALID : EXIT_OK);
  });
}

/** Each path that is a repository root becomes the policy files its tierguard.yaml names; other paths stay as given. */
async function expandRepositories(paths: readonly string[], cwd: string): Promise<{ expanded: string[]; plans: Array<{ shown: string; plan: RepositoryPlan }> }> {
  const display = (abs: string) => {
    const rel = relative(cwd, abs);
    return rel && !rel.startsWith("..") ? rel : abs;
  };
  const expanded: string[] = [];
  const plans: Array<{ shown: string; plan: RepositoryPlan }> = [];
  for (const p of paths) {
    const plan = await repositoryPlan(resolve(cwd, p), display);
    if (!plan) {
      expanded.push(p);
      continue;
    }
    plans.push({ shown: p, plan });
    expanded.push(...plan.policyFiles);
  }
  return { expanded, plans };
}
