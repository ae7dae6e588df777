import { inventoryNamespaceLabels } from "../flows/inventory.js";
import { parentPort, workerData } from "node:worker_threads";
import { EngineUniverse, PolicySet } from "../engine/index.js";
import { Replayer } from "../impact/replay.js";
import { EndpointResolver } from "../impact/resolve.js";
import { ImpactComparer, type ComparerState } from "../impact/revisions.js";
import { readInventory } from "./inventory.js";
import { buildResources, loadText, type LoadLimits } from "../policy/index.js";
import type { TierguardConfig } from "../review/config.js";
import type { ParseCache, RevisionFile } from "../review/load.js";
import type { ReadOutcome } from "./read-outcome.js";
import { replayRange, type FlowFile, type ReplayLimits } from "./replay-files.js";

/**
 * A worker thread of `tierguard review`: rebuilds the base and head policy sets from the files' text (the main
 * thread validated them), replays one byte range of a flow file through both, and posts the comparer's state.
 */
export interface ReviewWorkerInput {
  config: TierguardConfig;
  limits: LoadLimits;
  base: RevisionFile[];
  head: RevisionFile[];
  inventoryPath?: string;
  cwd: string;
  file: FlowFile;
  range: { start: number; end: number };
  replayLimits: ReplayLimits;
}

export type ReviewWorkerMessage =
  | { type: "progress"; records: number }
  | { type: "done"; state: ComparerState; lines: number; outcome: ReadOutcome }
  | { type: "failed"; message: string };

async function work(input: ReviewWorkerInput): Promise<{ state: ComparerState; lines: number; outcome: ReadOutcome }> {
  const cache: ParseCache = new Map();
  const universe = new EngineUniverse();
  const inventory = input.inventoryPath ? (await readInventory(input.inventoryPath, { cwd: input.cwd })).inventory : undefined;
  const namespaceLabels = inventoryNamespaceLabels(inventory);
  // The main thread validated these files; a worker only needs the resources (parsed once per unchanged file).
  const resources = (files: RevisionFile[]) =>
    files.flatMap((f) => {
      const key = `${f.file}\u0000${f.blob}`;
      let parsed = cache.get(key);
      if (!parsed) {
        parsed = { resources: buildResources(loadText(f.file, f.text, input.limits).documents, { defaultNamespace: input.config.namespace }).resources, diagnostics: [] };
        cache.set(key, parsed);
      }
      return parsed.resources;
    });
  const set = (files: RevisionFile[]) => new PolicySet(resources(files), { version: input.config.calicoVersion, universe, namespaceLabels });
  const resolver = new EndpointResolver(universe, inventory);
  const head = new Replayer(set(input.head), resolver);
  const comparer = new ImpactComparer(new Replayer(set(input.base), resolver, { raw: head.raw }), head, input.config.calicoVersion.model);
  let records = 0;
  const { lines, outcome } = await replayRange(input.file, comparer, input.replayLimits, input.range, () => {
    if (++records % 100_000 === 0) parentPort?.postMessage({ type: "progress", records: 100_000 } satisfies ReviewWorkerMessage);
  });
  return { state: comparer.exportState(), lines, outcome };
}

if (parentPort) {
  work(workerData as ReviewWorkerInput).then(
    (r) => parentPort!.postMessage({ type: "done", ...r } satisfies ReviewWorkerMessage),
    (e: Error) => parentPort!.postMessage({ type: "failed", message: e.stack ?? e.message } satisfies ReviewWorkerMessage),
  );
}
