import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { EngineUniverse } from "../../src/engine/index.js";
import { createFlowValueParser } from "../../src/flows/detect.js";
import { parseInventory, type Inventory } from "../../src/flows/inventory.js";
import { EndpointResolver } from "../../src/impact/resolve.js";
import { DEFAULT_LOAD_LIMITS, loadBundle, loadText, parseCalicoVersion, type CalicoVersion, type Resource } from "../../src/policy/index.js";
import {
  DEFAULT_DNS,
  ENTERPRISE_DEFAULTS,
  DEFAULT_STALE_AFTER,
  FlowObserver,
  prove,
  recommend,
  renderFiles,
  renderStream,
  tightness,
  type ObserveWindow,
  type Proof,
  type RecommendResult,
  type Tightness,
} from "../../src/recommend/index.js";

/** Generated Calico Enterprise flow records and the recommendation pipeline run in-process, as the command runs it. */
export interface Ep {
  ns?: string;
  name: string;
  labels?: string[];
  ip?: string;
  type?: "wep" | "net" | "ns" | "hep";
  /** Aggregated labels ("-"). */
  aggregated?: boolean;
}

export const pod = (ns: string, name: string, ip: string, ...labels: string[]): Ep => ({ ns, name, ip, labels });
export const net = (ip: string): Ep => ({ name: "pub", ip, type: "net" });

export interface FlowOpts {
  proto?: string;
  start?: number;
  end?: number;
  action?: "allow" | "deny";
  reporter?: "src" | "dst";
  numFlows?: number;
}

export const T0 = 1_748_955_600; // 2025-06-03T13:00:00Z

export function flow(src: Ep, dst: Ep, port: number | null, o: FlowOpts = {}): string {
  const side = (prefix: string, e: Ep) => ({
    [`${prefix}_ip`]: e.ip ?? null,
    [`${prefix}_name`]: e.type === "net" ? "-" : e.name,
    [`${prefix}_name_aggr`]: e.type === "net" ? e.name : e.type === "ns" ? e.name : `${e.name.replace(/-[a-z0-9]+$/, "")}-*`,
    [`${prefix}_namespace`]: e.ns ?? "-",
    [`${prefix}_type`]: e.type ?? "wep",
    [`${prefix}_labels`]: e.aggregated ? "-" : { labels: e.labels ?? [] },
  });
  const start = o.start ?? T0;
  return JSON.stringify({
    start_time: start,
    end_time: o.end ?? start + 300,
    ...side("source", src),
    source_port: 40000,
    ...side("dest", dst),
    dest_port: port,
    proto: o.proto ?? "tcp",
    action: o.action ?? "allow",
    reporter: o.reporter ?? "src",
    bytes_in: 10,
    bytes_out: 10,
    packets_in: 1,
    packets_out: 1,
    num_flows: o.numFlows ?? 1,
  });
}

export function policies(yaml: string, version = "3.32"): { resources: Resource[]; version: CalicoVersion } {
  const v = parseCalicoVersion(version) as CalicoVersion;
  const b = loadBundle([{ file: "repo.yaml", text: yaml }], { version: v, limits: DEFAULT_LOAD_LIMITS, defaultNamespace: "default" });
  const errors = b.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`fixture has errors: ${JSON.stringify(errors)}`);
  return { resources: b.resources, version: v };
}

export interface PipelineOptions {
  inventory?: Inventory;
  namespaces?: string[];
  level?: "namespace" | "workload";
  tier?: string;
  maxRules?: number;
  now?: number;
  window?: ObserveWindow;
  staleAfter?: number;
  /** Flows replayed by the proof instead of the learned ones (a held-out window). */
  proveOn?: string[];
}

export interface PipelineResult {
  result: RecommendResult;
  yaml: string;
  files: ReturnType<typeof renderFiles>;
  proof: Proof;
  tight: () => Tightness;
}

function observe(lines: readonly string[], resolver: EndpointResolver, window?: ObserveWindow): FlowObserver {
  const observer = new FlowObserver(resolver, window);
  const parse = createFlowValueParser();
  lines.forEach((l, i) => {
    const v = parse(l, i + 1);
    if (!v.value) throw new Error(`line ${i + 1}: ${JSON.stringify(v.diagnostics)}`);
    const problems = observer.addValue(v.value, v.format, i + 1);
    if (problems.length > 0) throw new Error(`line ${i + 1}: ${JSON.stringify(problems)}`);
  });
  return observer;
}

export function pipeline(lines: readonly string[], repo: { resources: Resource[]; version: CalicoVersion }, o: PipelineOptions = {}): PipelineResult {
  const universe = new EngineUniverse();
  const resolver = new EndpointResolver(universe, o.inventory);
  const observer = observe(lines, resolver, o.window);
  const tuples = observer.tuples();
  const lifecycle = {
    now: o.now ?? observer.stats.latest ?? 0,
    ...ENTERPRISE_DEFAULTS,
    staleAfter: o.staleAfter ?? DEFAULT_STALE_AFTER,
  };
  const options = { tier: o.tier ?? "namespace-isolation", level: o.level ?? "namespace", maxRules: o.maxRules ?? 20, version: repo.version, lifecycle, dns: { ...DEFAULT_DNS } } as const;
  const result = recommend({ resources: repo.resources, tuples, universe, resolver, inventory: o.inventory, namespaces: o.namespaces, earliest: observer.stats.earliest, options });
  const files = renderFiles(result.recommendation, []);
  const yaml = renderStream(files);
  const proofTuples = o.proveOn ? observe(o.proveOn, resolver).tuples() : tuples;
  const namespaceLabels = o.inventory ? new Map([...o.inventory.namespaces].map(([k, v]) => [k, v.labels])) : undefined;
  const proof = prove({ resources: repo.resources, yaml, tuples: proofTuples, universe, resolver, version: repo.version, namespaceLabels, current: result.current });
  const tight = () => tightness({ recommendation: proof.loaded, learned: result.classification.learned, universe, resolver, version: repo.version });
  return { result, yaml, files, proof, tight };
}

export const TEMPLATE = "policies-template";
export const TEMPLATE_DIRS = ["tiers", "security", "platform", "namespace-isolation", "application"];

export function templateRepo(omit: string[] = []): { resources: Resource[]; version: CalicoVersion; files: Array<{ file: string; text: string }> } {
  const files: Array<{ file: string; text: string }> = [];
  for (const dir of TEMPLATE_DIRS) {
    for (const f of readdirSync(join(TEMPLATE, dir)).sort()) {
      const path = join(TEMPLATE, dir, f);
      if (statSync(path).isFile() && !omit.includes(path)) files.push({ file: path, text: readFileSync(path, "utf8") });
    }
  }
  const b = loadBundle(files);
  return { resources: b.resources, version: parseCalicoVersion("3.32") as CalicoVersion, files };
}

export function templateInventory(): Inventory {
  const loaded = loadText("inventory.yaml", readFileSync(join(TEMPLATE, "flows/inventory.yaml"), "utf8"));
  return parseInventory(loaded.documents.map((d) => d.value)).inventory!;
}

export function templateLines(): string[] {
  return gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))).toString("utf8").split("\n").filter((l) => l.trim() !== "");
}
