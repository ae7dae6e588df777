import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DEFAULT_BUNDLE_OPTIONS, DEFAULT_CALICO_VERSION, loadBundle, type DocumentValue } from "../../src/policy/index.js";
import type { FlowReader, LineEvent } from "../../src/run/flow-lines.js";
import { buildReplayer, replayerFromSpec, SimulateSink, type SimulateSinkSpec } from "../../src/run/replay-simulate.js";

/**
 * `simulate --output summary` reads Enterprise lines with the scanner (src/flows/scan.ts) instead of JSON.parse.
 * Its totals and problems must equal the full path's (every line JSON.parsed and read into a record) on the bundled
 * snapshot mixed with hostile lines, and JSON.parse must run about once per distinct endpoint, not once per line.
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

/** The snapshot's lines, each also rewritten in ways the scanner must read or decline exactly. */
function mixed(): string[] {
  const out: string[] = [];
  snapshot.slice(0, 400).forEach((line, i) => {
    out.push(line);
    switch (i % 10) {
      case 1:
        out.push(line.slice(0, line.length >> 1)); // cut short: malformed JSON
        break;
      case 2:
        out.push(line.replace(/"dest_port":\s*\d+/, (m) => `${m},${m.replace(/\d+/, "1")}`)); // a duplicate key
        break;
      case 3:
        out.push(line.replace(/"proto":\s*"[^"]*"/, '"proto":"\\u0074cp"')); // an escaped value
        break;
      case 4:
        out.push(` \t${line.replace(/,/g, " ,\r ")}\r`); // odd whitespace
        break;
      case 5:
        out.push(line.replace(/"dest_port":\s*\d+/, '"dest_port":{"nested":[1]}')); // a bad port, reported
        break;
      case 6:
        out.push(`{"_source":${line}}`); // the search-hit wrapper
        break;
      case 7:
        out.push('{"Key":{"proto":"tcp"}}'); // a Goldmane line in an Enterprise file: mixed formats
        break;
      case 8:
        out.push(line.replace(/"source_namespace":\s*"([^"]*)"/, '"source_namespace":"$1\\u00e9"')); // unicode by escape
        break;
    }
  });
  return out;
}

async function replay(lines: string[], needRecord: boolean) {
  const sink = new SimulateSink(buildReplayer(templatePolicies(), { version: DEFAULT_CALICO_VERSION, stagedDelete: "preview" }), { needRecord, compareRecorded: false }, memoryReader(lines), LIMITS);
  const read = await sink.replay({ path: "mem", display: "mem" }, undefined, () => {});
  return { totals: sink.totals, read };
}

describe("the scanned fast path against the full path", () => {
  test("equal totals and problems (codes, lines, columns) on the snapshot mixed with hostile lines", async () => {
    const lines = mixed();
    const fast = await replay(lines, false);
    const full = await replay(lines, true);
    expect(fast.totals.summary).toEqual(full.totals.summary);
    expect(fast.totals.problems).toEqual(full.totals.problems);
    expect(fast.read).toEqual(full.read);
    expect(fast.totals.problems.map((p) => p.code)).toEqual(expect.arrayContaining(["flows/malformed-json", "flows/mixed-formats", "flows/bad-port"]));
  });

  test("JSON.parse runs about once per distinct endpoint, not once per line", async () => {
    const base = snapshot.slice(0, 500);
    const lines = Array.from({ length: 20 }, () => base).flat(); // 500 records twenty times over
    const original = JSON.parse;
    let calls = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      calls++;
      return original(text, reviver) as unknown;
    }) as typeof JSON.parse;
    let result: Awaited<ReturnType<typeof replay>>;
    try {
      result = await replay(lines, false);
    } finally {
      JSON.parse = original;
    }
    expect(result.totals.summary.records).toBe(lines.length);
    expect(calls).toBeLessThan(base.length); // a line per distinct endpoint at most, never a repeat's (was one per line)
  });
});

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
