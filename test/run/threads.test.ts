import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { fileFlowReader } from "../../src/io/flow-reader.js";
import { DEFAULT_BUNDLE_OPTIONS, DEFAULT_CALICO_VERSION, loadBundle } from "../../src/policy/index.js";
import type { FlowReader } from "../../src/run/flow-lines.js";
import { buildReplayer, SimulateSink, type SimulateSinkSpec } from "../../src/run/replay-simulate.js";
import { replayFile, startReplay } from "../../src/run/runner.js";
import { ReplayWorker } from "../../src/run/threads.js";
import { BIN, ensureDist, REPO_ROOT } from "../helpers/dist.js";

/**
 * Worker threads start before the sink's description exists (they load their code while the policies load), and
 * `simulate` replays the first byte range in its own thread. Real threads, running the built worker script.
 */
const exec = promisify(execFile);
const TEMPLATE = join(REPO_ROOT, "policies-template");
const LIMITS = { maxLineBytes: 1 << 20, maxBytes: 1 << 30 };
const scratch = mkdtempSync(join(tmpdir(), "tg-threads-"));
const flows = join(scratch, "flows.jsonl");
const reader: FlowReader = { ...fileFlowReader, workerScript: join(REPO_ROOT, "dist/io/replay-worker.js") };
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const lines = gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))).toString("utf8").split("\n").filter((l) => l.trim() !== "");
beforeAll(async () => {
  await ensureDist();
  writeFileSync(flows, lines.join("\n") + "\n");
}, 120_000);

function templateFiles() {
  const files: Array<{ file: string; text: string }> = [];
  for (const dir of ["tiers", "security", "platform", "namespace-isolation", "application"]) {
    for (const f of readdirSync(join(TEMPLATE, dir))) if (statSync(join(TEMPLATE, dir, f)).isFile()) files.push({ file: join(TEMPLATE, dir, f), text: readFileSync(join(TEMPLATE, dir, f), "utf8") });
  }
  return files;
}

const job = { needRecord: false, compareRecorded: false };
const files = templateFiles();
const sink = () => new SimulateSink(() => buildReplayer(loadBundle(files).resources, { version: DEFAULT_CALICO_VERSION, stagedDelete: "preview" }), job, reader, LIMITS);
const spec = (): SimulateSinkSpec => ({ kind: "simulate", files, bundle: DEFAULT_BUNDLE_OPTIONS, stagedDelete: "preview", job });

describe("startReplay", () => {
  test("with this thread: n ranges covering the file in order, n - 1 worker threads", async () => {
    const threads = await startReplay({ path: flows, display: "flows" }, { workers: 3, reader, thisThread: true });
    try {
      expect(threads?.workers).toHaveLength(2);
      expect(threads?.ranges.map((r) => r.start)).toEqual([0, Math.floor(statSync(flows).size / 3), Math.floor((2 * statSync(flows).size) / 3)]);
      expect(threads?.ranges[2].end).toBe(Number.MAX_SAFE_INTEGER);
    } finally {
      threads?.close();
    }
  });

  test("one thread (undefined) for --workers 1 and for a file that is not there", async () => {
    expect(await startReplay({ path: flows, display: "flows" }, { workers: 1, reader, thisThread: true })).toBeUndefined();
    expect(await startReplay({ path: join(scratch, "missing.jsonl"), display: "missing" }, { workers: 4, reader, thisThread: true })).toBeUndefined();
  });
});

describe("replayFile over threads started ahead", () => {
  test("this thread replays the first range, the workers the rest: totals equal a one-thread replay's", async () => {
    const one = sink();
    const whole = await replayFile(one, { path: flows, display: "flows" }, { workers: 1, limits: LIMITS, reader, progress: { tick: () => {} } });

    const threads = await startReplay({ path: flows, display: "flows" }, { workers: 3, reader, thisThread: true });
    let here = 0;
    const three = sink();
    const outcome = await replayFile(three, { path: flows, display: "flows" }, { workers: 1, threads, spec, limits: LIMITS, reader, progress: { tick: (n = 1) => (here += n) } });

    expect(outcome).toEqual(whole);
    expect(three.totals.summary).toEqual(one.totals.summary);
    expect(three.totals.lines).toBe(lines.length);
    // Workers post progress per 100,000 records: every tick here is a record this thread replayed, its first third.
    expect(here).toBeGreaterThan(lines.length / 4);
    expect(here).toBeLessThan(lines.length / 2);
  });

  test("threads closed before they replay: run rejects and nothing is left running", async () => {
    const threads = await startReplay({ path: flows, display: "flows" }, { workers: 2, reader, thisThread: false });
    threads!.close();
    await expect(threads!.workers[0].run({ spec: spec(), file: { path: flows, display: "flows" }, range: threads!.ranges[0], limits: LIMITS }, { tick: () => {} })).rejects.toThrow(
      "a worker thread was closed before it replayed",
    );
  });
});

describe("ReplayWorker", () => {
  test("a script that fails to load: run rejects with its error, no unhandled event", async () => {
    const broken = join(scratch, "broken.mjs");
    writeFileSync(broken, 'throw new Error("cannot load the replay code");\n');
    const w = new ReplayWorker(broken);
    await new Promise((r) => setTimeout(r, 500)); // the failure arrives before anyone waits for it
    await expect(w.run({ spec: spec(), file: { path: flows, display: "flows" }, range: { start: 0, end: 10 }, limits: LIMITS }, { tick: () => {} })).rejects.toThrow(
      "cannot load the replay code",
    );
  });
});

describe("simulate --workers 2 whose policies have errors", () => {
  test("exits 1 at once: the threads started ahead are stopped, not left waiting", async () => {
    const bad = join(scratch, "bad.yaml");
    writeFileSync(bad, "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: bad\nspec:\n  selector: app ==\n");
    const err = await exec(process.execPath, [BIN, "simulate", "--policies", bad, "--flows", flows, "--output", "summary", "--workers", "2"], { timeout: 30_000 }).catch((e: { code?: number; stderr?: string; killed?: boolean }) => e);
    expect(err).toMatchObject({ code: 1, killed: false });
    expect((err as { stderr: string }).stderr).toContain("nothing was simulated");
  });
});
