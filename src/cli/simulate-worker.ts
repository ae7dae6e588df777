import { parentPort, workerData } from "node:worker_threads";
import { readInventory } from "../io/inventory.js";
import { buildResources, loadText, type BundleOptions } from "../policy/index.js";
import { buildReplayer, runReplay, type ReplayJob, type ReplayTotals } from "./replay-run.js";

/**
 * A worker thread of `simulate --output summary`: rebuilds the policy set from the policy files' text (the main
 * thread validated them already), replays one byte range of the flow file, and posts its totals.
 */
export interface WorkerInput {
  files: Array<{ file: string; text: string }>;
  bundle: BundleOptions;
  stagedDelete: "preview" | "ignore";
  inventoryPath?: string;
  cwd: string;
  job: ReplayJob;
}

export type WorkerMessage = { type: "progress"; records: number } | { type: "done"; totals: ReplayTotals } | { type: "failed"; message: string };

async function work(input: WorkerInput): Promise<ReplayTotals> {
  // The main thread validated these files; a worker only needs the resources.
  const resources = input.files.flatMap((f) => buildResources(loadText(f.file, f.text, input.bundle.limits).documents, { defaultNamespace: input.bundle.defaultNamespace }).resources);
  const inventory = input.inventoryPath ? (await readInventory(input.inventoryPath, { cwd: input.cwd })).inventory : undefined;
  const replayer = buildReplayer(resources, { version: input.bundle.version, stagedDelete: input.stagedDelete, inventory });
  let records = 0;
  return runReplay(replayer, input.job, {
    onTick: () => {
      if (++records % 100_000 === 0) parentPort?.postMessage({ type: "progress", records: 100_000 } satisfies WorkerMessage);
    },
  });
}

if (parentPort) {
  work(workerData as WorkerInput).then(
    (totals) => parentPort!.postMessage({ type: "done", totals } satisfies WorkerMessage),
    (e: Error) => parentPort!.postMessage({ type: "failed", message: e.stack ?? e.message } satisfies WorkerMessage),
  );
}
