import { stat } from "node:fs/promises";
import { Option } from "commander";
import { collectPolicyFiles, describeFsError } from "../io/files.js";
import { CALICO_333, calicoMinor, DEFAULT_LOAD_LIMITS, loadBundle, type LoadLimits, parseCalicoVersion, type Bundle, type CalicoVersion, type Diagnostic } from "../policy/index.js";
import { InputError, UsageError, type CliIo } from "./io.js";

/**
 * Options and steps shared by the commands: the Calico version model, input limits, and loading policy paths.
 */
export interface PolicyInputOptions {
  calicoVersion: string;
  maxFileBytes: number;
  maxDocumentBytes: number;
  maxAliasCount: number;
  maxNodes: number;
  namespace: string;
}

export function policyInputOptions(): Option[] {
  return [
    new Option("--calico-version <version>", "the Calico version (3.29 or later); two models: 3.31 for 3.29 to 3.31 (tier-prefixed names, knp.default.), 3.32 for 3.32 and later").default("3.32"),
    new Option("--namespace <ns>", "namespace for namespaced resources that name none").default("default"),
    new Option("--max-file-bytes <n>", "largest policy file accepted").default(DEFAULT_LOAD_LIMITS.maxFileBytes).argParser(positiveInt("--max-file-bytes")),
    new Option("--max-document-bytes <n>", "largest YAML document accepted").default(DEFAULT_LOAD_LIMITS.maxDocumentBytes).argParser(positiveInt("--max-document-bytes")),
    new Option("--max-alias-count <n>", "most YAML alias expansions per document").default(DEFAULT_LOAD_LIMITS.maxAliasCount).argParser(positiveInt("--max-alias-count")),
    new Option("--max-nodes <n>", "most YAML nodes (keys, values, collections) per file").default(DEFAULT_LOAD_LIMITS.maxNodes).argParser(positiveInt("--max-nodes")),
  ];
}

export function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a positive whole number, not "${value}"`);
    return Number(value);
  };
}

export function calicoVersion(text: string): CalicoVersion {
  const v = parseCalicoVersion(text);
  if ("error" in v) throw new UsageError(`--calico-version: ${v.error}`);
  return v;
}

/**
 * A version that is not one of the two models is accepted and evaluated with the model that covers it; the user is
 * told which, so that "3.30" is not taken for a model of its own. Undefined for 3.31 and 3.32 themselves.
 */
export function versionNote(v: CalicoVersion): string | undefined {
  const minor = /^v?3\.(\d+)/.exec(v.text)?.[1];
  if (minor === "31" || minor === "32") return undefined;
  if (calicoMinor(v) >= CALICO_333) {
    return `Calico ${v.text} is evaluated with the 3.32 model and what 3.33 changed: its CRD size limits in validation, and flow-log verdicts that staged policies never decide (simulate --compare-recorded)`;
  }
  const model = v.model === "v3.31" ? "3.31" : "3.32";
  return `Calico ${v.text} is evaluated with the ${model} model: tierguard models 3.31 (for 3.29 to 3.31: tier-prefixed policy names, knp.default.) and 3.32 (for 3.32 and later)`;
}

export function outputFormat<T extends string>(value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--output must be one of ${allowed.join(", ")}, not "${value}"`);
  }
  return value as T;
}

export interface LoadedPolicies extends Bundle {
  fileCount: number;
  version: CalicoVersion;
  /** The files read, for worker threads that rebuild the policy set. */
  files: Array<{ file: string; text: string }>;
  limits: LoadLimits;
}

/**
 * Reads and validates the policy paths. File-level problems become diagnostics, never exceptions. `note` hears what
 * the user should know about how the input is read (the version model a version maps to).
 */
export async function loadPolicies(paths: readonly string[], opts: PolicyInputOptions, cwd: string, note?: (text: string) => void): Promise<LoadedPolicies> {
  const version = calicoVersion(opts.calicoVersion);
  const vnote = versionNote(version);
  if (vnote && note) note(vnote);
  const limits = { ...DEFAULT_LOAD_LIMITS, maxFileBytes: opts.maxFileBytes, maxDocumentBytes: opts.maxDocumentBytes, maxAliasCount: opts.maxAliasCount, maxNodes: opts.maxNodes };
  const { files, problems } = await collectPolicyFiles(paths, { maxFileBytes: limits.maxFileBytes, cwd });
  const bundle = loadBundle(files, { version, limits, defaultNamespace: opts.namespace });
  const fileDiagnostics: Diagnostic[] = problems.map((p) => ({ code: p.code, severity: "error", message: p.message, file: p.file, line: 1, col: 1, path: "" }));
  return { ...bundle, diagnostics: [...fileDiagnostics, ...bundle.diagnostics], fileCount: files.length, version, files, limits };
}

/** A file argument that cannot be read is invalid input (exit 1), reported once before any output. */
export async function checkReadableFile(path: string, what: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new InputError(`cannot read ${what}: ${describeFsError(e)}`);
  }
  if (!info.isFile()) throw new InputError(`cannot read ${what}: not a regular file`);
}

/** A note for the user on stderr, where it never mixes with output that is piped or parsed. */
export function stderrNote(io: Pick<CliIo, "stderr">): (text: string) => void {
  return (text) => io.stderr(`tierguard: note: ${text}\n`);
}
