import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fileFlowReader } from "../../src/io/flow-reader.js";
import { DEFAULT_LOAD_LIMITS } from "../../src/policy/index.js";
import { defaultConfig } from "../../src/review/config.js";
import type { RevisionFile } from "../../src/review/load.js";
import { NO_PROGRESS, type FlowReader } from "../../src/run/flow-lines.js";
import { runReviewPipeline, type PipelineInput, type PipelineRevision } from "../../src/run/review.js";
import { ReplayWorker } from "../../src/run/threads.js";
import { ensureDist, REPO_ROOT } from "../helpers/dist.js";
import { TEMPLATE, templateFiles } from "../helpers/template.js";

/**
 * The review starts the first snapshot's worker threads before it prepares (parses and validates both revisions), so
 * that they load their code meanwhile. Real threads, running the built worker script.
 */
const scratch = mkdtempSync(join(tmpdir(), "tg-review-threads-"));
const flows = join(scratch, "flows.jsonl");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(async () => {
  await ensureDist();
  writeFileSync(flows, gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))));
}, 120_000);

/** The input of a review whose head lowers one policy's order; `events` records when its steps begin. */
function reviewInput(workers: number, events: string[], prepare: () => void = () => {}): PipelineInput {
  const files = templateFiles();
  const head = new Map(files);
  const changed = join(TEMPLATE, "application/productcatalogservice.yaml");
  head.set(changed, files.get(changed)!.replace("order: 100", "order: 5"));
  const revision = (commit: string, fs: Map<string, string>): PipelineRevision => {
    const policyFiles: RevisionFile[] = [...fs].map(([file, text]) => ({ file, text, blob: `${commit}:${file}` }));
    return {
      rev: commit,
      commit,
      get policyFiles() {
        events.push(`prepare ${commit}`);
        prepare();
        return policyFiles;
      },
      testFiles: [],
    };
  };
  const reader: FlowReader = {
    ...fileFlowReader,
    workerScript: join(REPO_ROOT, "dist/io/replay-worker.js"),
    inspect: (path) => (events.push("threads"), fileFlowReader.inspect(path)),
  };
  return {
    config: defaultConfig(),
    configSource: "default",
    configFindings: [],
    configChanged: false,
    base: revision("base", files),
    head: revision("head", head),
    limits: DEFAULT_LOAD_LIMITS,
    author: { login: "dev", teams: [] },
    approvals: [],
    flows: [{ path: flows, display: "snapshot" }],
    notes: [],
    extraFindings: [],
    maxLineBytes: 1 << 20,
    workers,
    reader,
    progress: NO_PROGRESS,
  };
}

describe("the review's worker threads", () => {
  test("start before the revisions are prepared, and give the review one thread gives", async () => {
    const events: string[] = [];
    const threaded = await runReviewPipeline(reviewInput(2, events));
    expect(events.slice(0, 2)).toEqual(["threads", "prepare base"]);
    const one = await runReviewPipeline(reviewInput(1, []));
    expect(threaded.impact?.totals.records).toBeGreaterThan(1_000);
    expect(threaded.impact).toEqual(one.impact);
    expect(threaded.findings).toEqual(one.findings);
  }, 60_000);

  test("are stopped when preparing the review fails", async () => {
    const close = jest.spyOn(ReplayWorker.prototype, "close");
    try {
      const failing = reviewInput(3, [], () => {
        throw new Error("the revision could not be read");
      });
      await expect(runReviewPipeline(failing)).rejects.toThrow("the revision could not be read");
      expect(close).toHaveBeenCalledTimes(3);
    } finally {
      close.mockRestore();
    }
  }, 60_000);
});
