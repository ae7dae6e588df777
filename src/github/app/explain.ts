import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineUniverse, PolicySet, type Endpoint } from "../../engine/index.js";
import { explainFlow } from "../../engine/explain.js";
import { DEFAULT_MAX_LINE_LENGTH, parseFlowLine } from "../../flows/detect.js";
import { inventoryNamespaceLabels, type Inventory } from "../../flows/inventory.js";
import type { FlowEndpointRef } from "../../flows/types.js";
import { resolveEndpointSpec } from "../../impact/endpoint-spec.js";
import { EndpointResolver } from "../../impact/resolve.js";
import { inventoryFromText } from "../../io/inventory.js";
import { readLines } from "../../io/lines.js";
import { DEFAULT_LOAD_LIMITS } from "../../policy/index.js";
import { renderExplanationText } from "../../report/explain.js";
import { GITHUB_COMMENT_LIMIT, truncateMarkdown } from "../../report/review/index.js";
import { policyFileFilter, type TierguardConfig } from "../../review/config.js";
import { loadRevision } from "../../review/load.js";
import type { GitHubApi, RepoRef } from "../api.js";
import { readBaseConfig, readBlobs, readTree, type TreeEntry } from "../repo-reader.js";
import { scrub } from "../redact.js";
import { DEFAULT_SNAPSHOT_LIMITS, fetchFailure, fetchSnapshot, type SnapshotLimits } from "../snapshot.js";
import type { Command } from "./commands.js";
import { shortSha, type Pull } from "../pull.js";

/**
 * `/tierguard explain`: one connection through the policies of the pull request's HEAD, answered with the same
 * trace `tierguard explain` prints. Endpoints are resolved against the inventory tierguard.yaml names (in the BASE
 * revision, like everything else the review trusts), else from the flow snapshot's records: the first record that
 * names the pod (or its workload prefix, or its IP) with labels gives them.
 */
export type ExplainCommand = Extract<Command, { kind: "explain" }>;

export interface ExplainOptions {
  api: GitHubApi;
  target: Pull;
  command: ExplainCommand;
  snapshot?: SnapshotLimits;
  /** Flow records read at most, per snapshot, when looking for an endpoint. */
  maxRecords?: number;
}

const MAX_RECORDS = 2_000_000;

export async function explainAtHead(o: ExplainOptions): Promise<string> {
  const repo = o.target.repo;
  const [baseTree, headTree] = await Promise.all([readTree(o.api, repo, o.target.base.sha), readTree(o.api, repo, o.target.head.sha)]);
  const { config } = await readBaseConfig(o.api, repo, baseTree);
  const files = headTree.filter((e) => policyFileFilter(config)(e.path) && e.size <= DEFAULT_LOAD_LIMITS.maxFileBytes);
  const blobs = await readBlobs(o.api, repo, files.map((e) => e.sha));
  const head = loadRevision(files.map((e) => ({ file: e.path, blob: e.sha, text: blobs.get(e.sha) ?? "" })), config, DEFAULT_LOAD_LIMITS, new Map());
  const scratch = await mkdtemp(join(tmpdir(), "tierguard-explain-"));
  try {
    const notes: string[] = [];
    const inventory = await inventoryOf(o.api, repo, baseTree, config, notes);
    const universe = new EngineUniverse();
    const set = new PolicySet(head.resources, {
      version: config.calicoVersion,
      universe,
      namespaceLabels: inventoryNamespaceLabels(inventory),
    });
    const ends = await resolveEnds(o, { baseTree, config, inventory, universe, scratch, notes });
    if ("error" in ends) return ends.error;
    const x = explainFlow(set, { src: ends.src.endpoint, dst: ends.dst.endpoint, protocol: o.command.protocol, dstPort: o.command.port });
    const heading = `${ends.src.description} -> ${ends.dst.description}:${o.command.port}/${o.command.protocolText}`;
    const errors = head.diagnostics.filter((d) => d.severity === "error").length;
    if (errors > 0) notes.push(`The head revision has ${errors} validation error(s); Calico would refuse those resources, so the trace may differ from the cluster's.`);
    const body = [
      `**tierguard explain** at \`${shortSha(o.target.head.sha)}\` (the pull request's head): \`${o.command.from} -> ${o.command.to}:${o.command.port}/${o.command.protocolText}\``,
      "",
      "```text",
      renderExplanationText(x, heading).trimEnd(),
      "```",
      ...(notes.length > 0 ? ["", ...notes.map((n) => `- ${n}`)] : []),
    ].join("\n");
    return truncateMarkdown(body, GITHUB_COMMENT_LIMIT - 200, { note: "_The explanation is cut here: it does not fit in one GitHub comment. Run `tierguard explain` locally for all of it._", keepTail: false });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Read in memory: the blob's text goes straight to the inventory reader, no scratch file. */
async function inventoryOf(api: GitHubApi, repo: RepoRef, tree: readonly TreeEntry[], config: TierguardConfig, notes: string[]): Promise<Inventory | undefined> {
  if (!config.inventory) return undefined;
  const entry = tree.find((e) => e.path === config.inventory);
  if (!entry) {
    notes.push(`The inventory ${config.inventory} named in tierguard.yaml is not in the base revision.`);
    return undefined;
  }
  const read = inventoryFromText((await readBlobs(api, repo, [entry.sha])).get(entry.sha) ?? "", config.inventory);
  if (!read.inventory) notes.push(`The inventory ${config.inventory} could not be read: ${read.diagnostics[0]?.message ?? "unknown error"}.`);
  return read.inventory;
}

interface Resolved {
  endpoint: Endpoint;
  description: string;
}

interface ResolveContext {
  baseTree: readonly TreeEntry[];
  config: TierguardConfig;
  inventory?: Inventory;
  universe: EngineUniverse;
  scratch: string;
  notes: string[];
}

async function resolveEnds(o: ExplainOptions, c: ResolveContext): Promise<{ src: Resolved; dst: Resolved } | { error: string }> {
  const specs = { src: o.command.from, dst: o.command.to };
  const out: Partial<Record<"src" | "dst", Resolved>> = {};
  const errors: Partial<Record<"src" | "dst", string>> = {};
  for (const side of ["src", "dst"] as const) {
    const r = resolveEndpointSpec(specs[side], { inventory: c.inventory, universe: c.universe });
    if ("error" in r) errors[side] = r.error;
    else out[side] = r;
  }
  // An address no inventory pod has may still be a pod the snapshot saw: look there before calling it external.
  const missing = (["src", "dst"] as const).filter((s) => !out[s] || out[s]!.endpoint.kind === "external");
  if (missing.length > 0 && c.config.flows.length > 0) {
    const found = await fromSnapshot(o, c, missing.map((s) => specs[s]));
    for (const s of missing) {
      const r = found.get(specs[s]);
      if (r) out[s] = r;
    }
  }
  if (out.src && out.dst) return { src: out.src, dst: out.dst };
  const why = (["src", "dst"] as const)
    .filter((s) => !out[s])
    .map((s) => `\`${specs[s]}\`: ${errors[s] ?? "not found"}${c.config.flows.length > 0 ? "; no record of the flow snapshot names it either" : ""}`);
  return { error: `tierguard could not resolve ${why.join("; and ")}. Name a pod of the inventory as \`namespace/pod\` (or its workload's name prefix), or an IP address.` };
}

/** Endpoints named by records of the configured snapshots, for the specs the inventory could not resolve. */
async function fromSnapshot(o: ExplainOptions, c: ResolveContext, specs: string[]): Promise<Map<string, Resolved>> {
  const found = new Map<string, Resolved>();
  const resolver = new EndpointResolver(c.universe, c.inventory);
  const repo = o.target.repo;
  for (const [i, source] of c.config.flows.entries()) {
    let file;
    try {
      file = await fetchSnapshot(o.api, repo, c.baseTree, source, join(c.scratch, `flows-${i}`), o.snapshot ?? DEFAULT_SNAPSHOT_LIMITS);
    } catch (e) {
      c.notes.push(`The flow snapshot ${scrub(source)} could not be used: ${fetchFailure(e)}.`);
      continue;
    }
    let records = 0;
    for await (const ev of readLines(file.path, { maxLineBytes: DEFAULT_MAX_LINE_LENGTH })) {
      if (ev.type !== "line" || ++records > (o.maxRecords ?? MAX_RECORDS)) break;
      const rec = parseFlowLine(ev.line.text, ev.line.number).record;
      if (!rec) continue;
      for (const spec of specs) {
        if (found.has(spec)) continue;
        const ref = [rec.src, rec.dst].find((r) => names(r, spec));
        if (ref) found.set(spec, { endpoint: resolver.resolve(ref).endpoint, description: `${describeRef(ref)} (labels from the flow snapshot, line ${ev.line.number})` });
      }
      if (found.size === specs.length) return found;
    }
  }
  return found;
}

function names(ref: FlowEndpointRef, spec: string): boolean {
  if (ref.ip !== undefined && ref.ip === spec) return true;
  const slash = spec.indexOf("/");
  if (slash <= 0 || ref.type !== "wep" || ref.labels === undefined || ref.namespace !== spec.slice(0, slash)) return false;
  const name = spec.slice(slash + 1);
  return ref.name === name || (ref.name ?? "").startsWith(name) || (ref.nameAggr ?? "").replace(/\*$/, "").startsWith(name);
}

function describeRef(ref: FlowEndpointRef): string {
  return `${ref.namespace ?? ""}/${ref.name ?? ref.nameAggr ?? ref.ip ?? "?"}`;
}
