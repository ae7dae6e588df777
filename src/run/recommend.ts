import { EngineUniverse } from "../engine/index.js";
import { inventoryNamespaceLabels, type Inventory } from "../flows/index.js";
import type { FlowFormat } from "../flows/types.js";
import { EndpointResolver } from "../impact/index.js";
import type { CalicoVersion, Diagnostic, Resource } from "../policy/index.js";
import {
  DEFAULT_DNS,
  DEFAULT_STALE_AFTER,
  ENTERPRISE_DEFAULTS,
  FlowObserver,
  prove,
  recommend,
  renderFiles,
  renderStream,
  summaryLines,
  type ObserveStats,
  type Proof,
  type RecommendResult,
  type RenderedFile,
} from "../recommend/index.js";
import { NO_PROGRESS, type FlowFile, type FlowReader } from "./flow-lines.js";
import { ObserveSink } from "./replay-observe.js";
import { replayFile } from "./runner.js";

/**
 * The recommendation pipeline one command runs, shared by `tierguard recommend` and the GitHub adapter (the App's
 * `/tierguard recommend`, the Action's `recommend` input): stream the flow files into distinct tuples (one thread:
 * the observer is no part a worker could post back), learn, render a draft, prove it by replay, and render the
 * final files with the proof's words in their comments.
 */
export interface RecommendTimes {
  /** UNIX seconds; undefined: the latest flow's end (so output never depends on the clock). */
  now?: number;
  since?: number;
  until?: number;
  /** Seconds. */
  interval: number;
  initialLookback: number;
  stabilization: number;
  staleAfter: number;
}

export const DEFAULT_RECOMMEND_TIMES: RecommendTimes = { ...ENTERPRISE_DEFAULTS, staleAfter: DEFAULT_STALE_AFTER };

export interface RecommendRunInput {
  resources: readonly Resource[];
  version: CalicoVersion;
  flows: readonly FlowFile[];
  reader: FlowReader;
  inventory?: Inventory;
  /** Undefined or empty: every namespace seen but kube-*, calico-*, tigera-*. */
  namespaces?: readonly string[];
  tier: string;
  level: "namespace" | "workload";
  maxRules: number;
  times: RecommendTimes;
  format?: FlowFormat;
  maxLineBytes: number;
  maxBytes: number;
}

export interface RecommendRun {
  result: RecommendResult;
  proof: Proof;
  /** `text`: for a terminal or a pull request's body; `comment`: already in each policy's YAML comment. */
  summary: { text: string[]; comment: string[] };
  stats: ObserveStats;
  /** The recommendation's own YAML loads without error and denies nothing allowed today. */
  proven: boolean;
  /** Empty when not proven: nothing may be offered then. */
  files: RenderedFile[];
  /** Flow lines that could not be read (the recommendation did not learn from them). */
  problems: Diagnostic[];
}

export async function runRecommendation(input: RecommendRunInput): Promise<RecommendRun> {
  const universe = new EngineUniverse();
  const resolver = new EndpointResolver(universe, input.inventory);
  const observer = new FlowObserver(resolver, { since: input.times.since, until: input.times.until });
  const limits = { maxLineBytes: input.maxLineBytes, maxBytes: input.maxBytes };
  const sink = new ObserveSink((value, f, line) => observer.addValue(value, f, line), input.format, input.reader, limits);
  for (const file of input.flows) await replayFile(sink, file, { workers: 1, limits, reader: input.reader, progress: NO_PROGRESS });
  const t = input.times;
  const lifecycle = { now: t.now ?? observer.stats.latest ?? 0, interval: t.interval, initialLookback: t.initialLookback, stabilization: t.stabilization, staleAfter: t.staleAfter };
  const options = { tier: input.tier, level: input.level, maxRules: input.maxRules, version: input.version, lifecycle, dns: { ...DEFAULT_DNS } };
  const tuples = observer.tuples();
  const namespaces = input.namespaces && input.namespaces.length > 0 ? input.namespaces : undefined;
  const result = recommend({ resources: input.resources, tuples, universe, resolver, inventory: input.inventory, namespaces, earliest: observer.stats.earliest, options });
  const draft = renderStream(renderFiles(result.recommendation, []));
  const namespaceLabels = inventoryNamespaceLabels(input.inventory);
  const proof = prove({ resources: input.resources, yaml: draft, tuples, universe, resolver, version: input.version, namespaceLabels, current: result.current });
  const summary = summaryLines(result, proof, observer.stats, tuples.length);
  const proven = !proof.diagnostics.some((d) => d.severity === "error") && proof.newlyDenied.records === 0;
  return { result, proof, summary, stats: observer.stats, proven, files: proven ? renderFiles(result.recommendation, summary.comment) : [], problems: sink.problems };
}
