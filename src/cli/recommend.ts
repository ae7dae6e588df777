import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { DEFAULT_MAX_LINE_LENGTH } from "../flows/detect.js";
import type { FlowFormat } from "../flows/types.js";
import { readInventory } from "../io/inventory.js";
import { fileFlowReader } from "../io/flow-reader.js";
import { DEFAULT_MAX_SNAPSHOT_BYTES } from "../run/flow-lines.js";
import { runRecommendation } from "../run/recommend.js";
import { hasErrors } from "../policy/index.js";
import {
  isNamespaceName,
  parseDuration,
  parseTime,
  renderFiles,
  renderStream,
  staleRules,
  type Proof,
  type RecommendResult,
} from "../recommend/index.js";
import { plural, renderDiagnosticsText } from "../report/diagnostics.js";
import { checkReadableFile, loadPolicies, outputFormat, type LoadedPolicies, policyInputOptions, positiveInt, type PolicyInputOptions, stderrNote } from "./common.js";
import { EXIT_INVALID, EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";

/**
 * `tierguard recommend`: stream the flow files into distinct tuples, learn staged isolation policies from the
 * traffic that reaches the recommendation tier, prove them by replay, and print or write them.
 * `--namespace` here names the namespaces to recommend for, so the loader's default namespace is
 * `--default-namespace` (the other commands' `--namespace`).
 */
interface RecommendCliOptions extends Omit<PolicyInputOptions, "namespace"> {
  policies: string[];
  flows: string[];
  inventory?: string;
  namespace?: string[];
  defaultNamespace: string;
  level: "namespace" | "workload";
  tier: string;
  out?: string;
  output: string;
  maxRules: number;
  now?: string;
  since?: string;
  until?: string;
  interval: string;
  initialLookback: string;
  stabilization: string;
  staleAfter: string;
  format: string;
  maxLineBytes: number;
  maxProblems: number;
}

export function registerRecommend(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const cmd = program
    .command("recommend")
    .description("learn staged namespace-isolation policies from flow logs, each rule with the flows behind it, proven by replay to deny nothing allowed today")
    .requiredOption("--policies <paths...>", "the repository's policy files or directories (today's tiers and policies)")
    .requiredOption("--flows <files...>", "flow records (Calico Enterprise flow logs or Goldmane flows, JSON lines, .gz accepted); several snapshots add up")
    .option("--inventory <file>", "kubectl get namespaces,pods,serviceaccounts -A -o yaml (or -o json): pod labels when records aggregate them")
    .option("--namespace <ns...>", "namespaces to recommend for (default: every namespace in the flows and inventory but kube-*, calico-*, tigera-*)")
    .addOption(new Option("--level <level>", "one policy per namespace, or one per workload").choices(["namespace", "workload"]).default("namespace"))
    .option("--tier <name>", "the recommendation tier; a Tier is emitted, ordered after the repository's tiers, when it has none", "namespace-isolation")
    .option("--out <dir>", "write one file per namespace, <namespace>-isolation.yaml (and <tier>-tier.yaml), into this folder instead of printing YAML")
    .option("-o, --output <format>", "yaml (the resources) or json (resources, exclusions, proof and warnings)", "yaml")
    .addOption(new Option("--max-rules <n>", "rules, or external addresses, per direction beyond which the external addresses are merged into a NetworkSet (with a warning)").default(20).argParser(positiveInt("--max-rules")))
    .option("--now <time>", "the time of this run, RFC 3339 or UNIX seconds, for the status lifecycle (default: the latest flow's end, so output never depends on the clock)")
    .option("--since <time>", "learn only from records that ended at or after this time (RFC 3339 or UNIX seconds)")
    .option("--until <time>", "learn only from records that started at or before this time")
    .option("--interval <duration>", "processing interval: the status moves from Learning to Stabilizing after 2x this without change (Enterprise: 2m30s)", "2m30s")
    .option("--initial-lookback <duration>", "history the first run reads: the engine is taken to have first run this long after the earliest flow, or now (Enterprise: 24h)", "24h")
    .option("--stabilization <duration>", "unchanged this long: Stable (Enterprise: 10m)", "10m")
    .option("--stale-after <duration>", "a rule no flow used for this long is marked Stale and offered for removal (tierguard's addition)", "7d")
    .addOption(new Option("--format <format>", "flow record format").choices(["auto", "enterprise", "goldmane"]).default("auto"))
    .addOption(new Option("--max-line-bytes <n>", "longest flow line accepted").default(DEFAULT_MAX_LINE_LENGTH).argParser(positiveInt("--max-line-bytes")))
    .addOption(new Option("--max-problems <n>", "most unreadable-line problems printed").default(20).argParser(positiveInt("--max-problems")))
    .option("--default-namespace <ns>", "namespace for namespaced policy resources that name none", "default");
  for (const o of policyInputOptions()) if (o.long !== "--namespace") cmd.addOption(o);
  cmd.action(async (opts: RecommendCliOptions) => setExit(await run(opts, io)));
}

async function run(opts: RecommendCliOptions, io: CliIo): Promise<number> {
  const output = outputFormat(opts.output, ["yaml", "json"] as const);
  const badNamespace = (opts.namespace ?? []).find((ns) => !isNamespaceName(ns));
  if (badNamespace !== undefined) throw new UsageError(`--namespace "${badNamespace}" is not a namespace name (lower-case letters, digits and "-", at most 63)`);
  const times = lifecycleOptions(opts);
  const loaded = await loadPolicies(opts.policies, { ...opts, namespace: opts.defaultNamespace }, io.cwd, stderrNote(io));
  if (hasErrors(loaded.diagnostics)) {
    io.stderr(renderDiagnosticsText(loaded.diagnostics.filter((d) => d.severity === "error")) + "\n");
    io.stderr(`tierguard: the policies have errors (run tierguard validate); nothing was recommended\n`);
    return EXIT_INVALID;
  }
  for (const f of opts.flows) await checkReadableFile(resolve(io.cwd, f), `--flows ${f}`);
  const inv = opts.inventory ? await readInventory(opts.inventory, { cwd: io.cwd }) : undefined;
  if (inv && !inv.inventory) {
    io.stderr(renderDiagnosticsText(inv.diagnostics) + "\n");
    throw new InputError(`cannot use the inventory ${opts.inventory}`);
  }
  if (inv && inv.diagnostics.length > 0) io.stderr(renderDiagnosticsText(inv.diagnostics) + "\n");
  const flows = opts.flows.map((file) => ({ path: resolve(io.cwd, file), display: file }));
  const run = await runRecommendation({
    resources: loaded.resources,
    version: loaded.version,
    flows,
    reader: fileFlowReader,
    inventory: inv?.inventory,
    namespaces: opts.namespace,
    tier: opts.tier,
    level: opts.level,
    maxRules: opts.maxRules,
    times,
    format: opts.format === "auto" ? undefined : (opts.format as FlowFormat),
    maxLineBytes: opts.maxLineBytes,
    maxBytes: DEFAULT_MAX_SNAPSHOT_BYTES,
  });
  const { result, proof, summary, problems } = run;
  if (!run.proven) return refuse(io, proof);
  await emit(io, opts, output, run.files, result, proof, summary.text);
  if (problems.length > 0) {
    io.stderr(renderDiagnosticsText(problems.slice(0, opts.maxProblems)) + "\n");
    if (problems.length > opts.maxProblems) io.stderr(`... and ${problems.length - opts.maxProblems} more problems\n`);
    io.stderr(`tierguard: ${plural(problems.length, "line")} of the flow files could not be read; the recommendation did not learn from them\n`);
    return EXIT_INVALID;
  }
  return EXIT_OK;
}

async function emit(io: CliIo, opts: RecommendCliOptions, output: "yaml" | "json", files: ReturnType<typeof renderFiles>, result: RecommendResult, proof: Proof, text: string[]): Promise<void> {
  if (opts.out) {
    const dir = resolve(io.cwd, opts.out);
    await mkdir(dir, { recursive: true });
    for (const f of files) await writeFile(join(dir, f.name), f.text);
    io.stderr(`${text.join("\n")}\nwrote ${plural(files.length, "file")} to ${opts.out}: ${files.map((f) => f.name).join(", ")}\n`);
  }
  if (output === "json") {
    const body = {
      resources: proof.loaded.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, metadata: r.metadata, spec: r.spec })),
      files: files.map((f) => f.name),
      namespaces: result.namespaces,
      tier: result.recommendation.tier,
      statuses: Object.fromEntries(result.recommendation.policies.map((p) => [`${p.namespace}/${p.name}`, p.status])),
      learned: result.classification.learned.length,
      stale: staleRules(result.recommendation),
      excluded: result.classification.excluded,
      proof: { tuples: proof.tuples, allowed: proof.allowed, newlyDenied: proof.newlyDenied },
      warnings: result.recommendation.warnings,
    };
    io.stdout(JSON.stringify(body, null, 2) + "\n");
    if (!opts.out) io.stderr(text.join("\n") + "\n");
  } else if (!opts.out) {
    io.stdout(renderStream(files));
    io.stderr(text.join("\n") + "\n");
  }
}

function refuse(io: CliIo, proof: Proof): number {
  if (hasErrors(proof.diagnostics)) io.stderr(renderDiagnosticsText(proof.diagnostics.filter((d) => d.severity === "error")) + "\n");
  if (proof.newlyDenied.records > 0) io.stderr(`proof failed: ${proof.newlyDenied.records} records allowed today would be denied, e.g. ${proof.newlyDenied.examples.join("; ")}\n`);
  io.stderr("tierguard: the recommendation failed its own checks and was not written; this is a bug in tierguard, please report it\n");
  return EXIT_INVALID;
}

function lifecycleOptions(opts: RecommendCliOptions) {
  const time = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const t = parseTime(v);
    if (t === undefined) throw new UsageError(`${flag} must be an RFC 3339 time (2025-06-03T12:00:00Z) or UNIX seconds, not "${v}"`);
    return t;
  };
  const duration = (flag: string, v: string) => {
    const d = parseDuration(v);
    if (d === undefined || d <= 0) throw new UsageError(`${flag} must be a duration such as 2m30s, 24h or 7d, not "${v}"`);
    return d;
  };
  return {
    now: time("--now", opts.now),
    since: time("--since", opts.since),
    until: time("--until", opts.until),
    interval: duration("--interval", opts.interval),
    initialLookback: duration("--initial-lookback", opts.initialLookback),
    stabilization: duration("--stabilization", opts.stabilization),
    staleAfter: duration("--stale-after", opts.staleAfter),
  };
}
