import { HitCounter, type AgentHits, type BoardInput } from "../board/index.js";
import type { Endpoint, EngineUniverse } from "../engine/index.js";
import type { Inventory } from "../flows/index.js";
import { endpointForPod, EndpointResolver, Replayer, type ImpactReport } from "../impact/index.js";
import type { CalicoVersion, Diagnostic, LoadLimits, Resource } from "../policy/index.js";
import { prepareReview, type RevisionFiles, type TierguardConfig } from "../review/index.js";
import { DEFAULT_MAX_SNAPSHOT_BYTES, NO_PROGRESS, type FlowFile, type FlowReader, type Progress } from "./flow-lines.js";
import { buildReplayer, SimulateSink } from "./replay-simulate.js";
import { replayImpact } from "./review.js";
import { replayFile } from "./runner.js";

/**
 * The policy board's inputs, composed the way `simulate` and `review` compute them, for every adapter that shows a
 * board: `tierguard board`, the Action's board artifact and the App's board page. The counts come from the replay
 * runner's simulate sink over a Replayer (in this thread: the hit counter is no part a worker posts back).
 */
export interface BoardRunOptions {
  reader: FlowReader;
  maxLineBytes: number;
  progress?: Progress;
}

export interface BoardHits {
  counter: HitCounter;
  summary: SimulateSink["totals"]["summary"];
  problems: Diagnostic[];
}

export async function boardHits(replayer: Replayer, flows: readonly FlowFile[], o: BoardRunOptions): Promise<BoardHits> {
  const counter = new HitCounter();
  const limits = { maxLineBytes: o.maxLineBytes, maxBytes: DEFAULT_MAX_SNAPSHOT_BYTES };
  const sink = new SimulateSink(replayer, { needRecord: true, compareRecorded: false }, o.reader, limits, {
    onRecord: (record, outcome) => counter.add(outcome, record.numFlows, record),
  });
  for (const f of flows) await replayFile(sink, f, { workers: 1, limits, reader: o.reader, progress: o.progress ?? NO_PROGRESS });
  return { counter, summary: sink.totals.summary, problems: [...sink.totals.problems] };
}

export function boardPods(inventory: Inventory | undefined, universe: EngineUniverse): Endpoint[] | undefined {
  return inventory?.pods.map((p) => endpointForPod(p, inventory, universe));
}

export interface HeadBoardInput extends BoardRunOptions {
  resources: readonly Resource[];
  version: CalicoVersion;
  inventory?: Inventory;
  flows: readonly FlowFile[];
  title: string;
  sources: string[];
  unusedDays: number;
  agent?: AgentHits;
}

/** One revision's board: its policies, the snapshot's hits through them (staged deletes previewed, as simulate). */
export async function headBoard(i: HeadBoardInput): Promise<{ input: BoardInput; problems: Diagnostic[] }> {
  const replayer = buildReplayer(i.resources, { version: i.version, stagedDelete: "preview", inventory: i.inventory });
  const hits = i.flows.length > 0 ? await boardHits(replayer, i.flows, i) : undefined;
  return {
    input: { title: i.title, sources: i.sources, set: replayer.set, summary: hits?.summary, counter: hits?.counter, pods: boardPods(i.inventory, replayer.set.universe), unusedDays: i.unusedDays, agent: i.agent },
    problems: hits?.problems ?? [],
  };
}

export interface ChangeBoardInput extends BoardRunOptions {
  base: RevisionFiles & { rev: string };
  head: RevisionFiles & { rev: string };
  config: TierguardConfig;
  limits: LoadLimits;
  inventory?: Inventory;
  flows: readonly FlowFile[];
  /** The review's impact when it ran already (the Action); "replay": replay it here, as `review` does; undefined: none. */
  impact?: ImpactReport | "replay";
  title: string;
  sources: string[];
  unusedDays: number;
  agent?: AgentHits;
}

/** A pull request's board: the head's policies and hits, what the change adds, changes and removes, and its impact. */
export async function changeBoard(i: ChangeBoardInput): Promise<{ input: BoardInput; problems: Diagnostic[] }> {
  const { ctx } = prepareReview(i.base, i.head, i.config, i.limits, i.inventory);
  const run = { maxLineBytes: i.maxLineBytes, maxBytes: DEFAULT_MAX_SNAPSHOT_BYTES, workers: 1, reader: i.reader, progress: NO_PROGRESS };
  const impactInput = { config: i.config, limits: i.limits, base: { policyFiles: [...i.base.policyFiles] }, head: { policyFiles: [...i.head.policyFiles] }, inventory: i.inventory, flows: [...i.flows] };
  // The review's impact, computed by the function runReviewPipeline calls.
  const impact = i.impact !== "replay" ? i.impact : i.flows.length > 0 ? (await replayImpact(ctx, impactInput, run)).impact : undefined;
  const hits = i.flows.length > 0 ? await boardHits(new Replayer(ctx.head.set, new EndpointResolver(ctx.universe, i.inventory)), i.flows, i) : undefined;
  return {
    input: {
      title: i.title,
      sources: i.sources,
      set: ctx.head.set,
      summary: hits?.summary,
      counter: hits?.counter,
      pods: boardPods(i.inventory, ctx.universe),
      unusedDays: i.unusedDays,
      agent: i.agent,
      change: { base: i.base.rev, head: i.head.rev, baseSet: ctx.base.set, changes: ctx.changes, impact },
    },
    problems: hits?.problems ?? [],
  };
}
