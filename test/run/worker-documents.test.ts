import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DEFAULT_BUNDLE_OPTIONS, DEFAULT_CALICO_VERSION, loadBundle, type DocumentValue } from "../../src/policy/index.js";
import type { FlowReader, LineEvent } from "../../src/run/flow-lines.js";
import { buildReplayer, replayerFromSpec, SimulateSink, type SimulateSinkSpec } from "../../src/run/replay-simulate.js";

/**
 * `simulate` with worker threads: each worker rebuilds the policy set from the documents the main thread parsed
 * (structured-cloned into its spec) instead of parsing the policy files' YAML again.
 */
const TEMPLATE = "policies-template";
const LIMITS = { maxLineBytes: 1 << 20, maxBytes: 1 << 30 };

function templatePolicies() {
  const files: Array<{ file: string; text: string }> = [];
  for (const dir of ["tiers", "security", "platform", "namespace-isolation", "application"]) {
    for (const f of readdirSync(join(TEMPLATE, dir))) if (statSync(join(TEMPLATE, dir, f)).isFile()) files.push({ file: join(TEMPLATE, dir, f), text: readFileSync(join(TEMPLATE, dir, f), "utf8") });
  }
  return loadBundle(files).resources;
}

function memoryReader(lines: string[]): FlowReader {
  return {
    async *lines(): AsyncIterable<LineEvent> {
      for (const [i, text] of lines.entries()) if (text !== "") yield { type: "line", line: { number: i + 1, text } };
    },
    inspect: () => Promise.resolve(undefined),
  };
}

const snapshot = gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))).toString("utf8").split("\n").filter(Boolean);

describe("a worker rebuilds the policy set from the main thread's parsed documents", () => {
  function templateFiles() {
    const files: Array<{ file: string; text: string }> = [];
    for (const dir of ["tiers", "security", "platform", "namespace-isolation", "application"]) {
      for (const f of readdirSync(join(TEMPLATE, dir))) if (statSync(join(TEMPLATE, dir, f)).isFile()) files.push({ file: join(TEMPLATE, dir, f), text: readFileSync(join(TEMPLATE, dir, f), "utf8") });
    }
    return files;
  }
  const spec = (files: Array<{ file: string; text: string }>, documents?: DocumentValue[][]): SimulateSinkSpec => ({
    kind: "simulate",
    files,
    documents,
    bundle: { ...DEFAULT_BUNDLE_OPTIONS },
    stagedDelete: "preview",
    job: { needRecord: false, compareRecorded: false },
  });
  const shape = (r: ReturnType<typeof replayerFromSpec>) => r.set.policies.map((p) => [p.seq, JSON.stringify(p.ref), p.order, p.ingress.length, p.egress.length]);

  test("the same policy set as parsing the text, without parsing it (the text may even be gone)", () => {
    const files = templateFiles();
    const bundle = loadBundle(files);
    const documents = structuredClone(bundle.documents); // as a worker receives them
    const parsed = replayerFromSpec(spec(files));
    const rebuilt = replayerFromSpec(spec(files.map((f) => ({ ...f, text: "" })), documents));
    expect(shape(rebuilt)).toEqual(shape(parsed));
    expect(shape(parsed).length).toBeGreaterThan(10);
  });

  test("equal totals over the snapshot", async () => {
    const files = templateFiles();
    const documents = structuredClone(loadBundle(files).documents);
    const totals = async (r: ReturnType<typeof replayerFromSpec>) => {
      const sink = new SimulateSink(r, { needRecord: false, compareRecorded: false }, memoryReader(snapshot.slice(0, 2000)), LIMITS);
      await sink.replay({ path: "mem", display: "mem" }, undefined, () => {});
      return sink.totals.summary;
    };
    expect(await totals(replayerFromSpec(spec(files, documents)))).toEqual(await totals(replayerFromSpec(spec(files))));
  });
});
