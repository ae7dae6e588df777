import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { inventoryNamespaceLabels, parseInventory } from "../../src/flows/inventory.js";
import { DEFAULT_CALICO_VERSION, loadBundle, loadText } from "../../src/policy/index.js";
import type { FlowReader, LineEvent } from "../../src/run/flow-lines.js";
import { buildReplayer, SimulateSink } from "../../src/run/replay-simulate.js";
import { readRevisionPair, type RevisionSource, type TreeEntry } from "../../src/run/revisions.js";
import { replayFile } from "../../src/run/runner.js";

/**
 * The run layer composes the core behind ports: a replay reads lines through a FlowReader, a review's revisions
 * come from a RevisionSource. Both are given here in memory, which the old io/cli runners could not take.
 */
const TEMPLATE = "policies-template";

function templatePolicies() {
  const files: Array<{ file: string; text: string }> = [];
  for (const dir of ["tiers", "security", "platform", "namespace-isolation", "application"]) {
    for (const f of readdirSync(join(TEMPLATE, dir))) if (statSync(join(TEMPLATE, dir, f)).isFile()) files.push({ file: join(TEMPLATE, dir, f), text: readFileSync(join(TEMPLATE, dir, f), "utf8") });
  }
  return loadBundle(files).resources;
}

/** A FlowReader over lines in memory; `inspect` throws, so a replay that tried to cut the file would fail. */
function memoryReader(lines: string[], unterminatedLast = false): FlowReader {
  return {
    async *lines(): AsyncIterable<LineEvent> {
      for (const [i, text] of lines.entries()) yield { type: "line", line: { number: i + 1, text, ...(unterminatedLast && i === lines.length - 1 ? { unterminated: true } : {}) } };
    },
    inspect: () => {
      throw new Error("a one-thread replay never inspects the file");
    },
    workerScript: "/nonexistent/replay-worker.js",
  };
}

describe("inventoryNamespaceLabels", () => {
  test("each namespace's labels, keyed by name; undefined without an inventory", () => {
    const inv = parseInventory(loadText("inv", readFileSync(join(TEMPLATE, "flows/inventory.yaml"), "utf8")).documents.map((d) => d.value)).inventory;
    const labels = inventoryNamespaceLabels(inv);
    expect([...labels.keys()]).toEqual([...inv.namespaces.keys()]);
    for (const [name, ns] of inv.namespaces) expect(labels.get(name)).toEqual(ns.labels);
    expect(inventoryNamespaceLabels(undefined)).toBeUndefined();
  });
});

describe("replayFile over an in-memory FlowReader", () => {
  const snapshot = gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))).toString("utf8").split("\n").filter(Boolean).slice(0, 50);
  const sinkFor = (reader: FlowReader) => new SimulateSink(buildReplayer(templatePolicies(), { version: DEFAULT_CALICO_VERSION, stagedDelete: "preview" }), { needRecord: false, compareRecorded: false }, reader, { maxLineBytes: 1 << 20, maxBytes: 1 << 30 });

  test("every record replayed in this thread when no sink description is given", async () => {
    const reader = memoryReader(snapshot);
    const sink = sinkFor(reader);
    const outcome = await replayFile(sink, { path: "mem", display: "mem" }, { workers: 4, limits: { maxLineBytes: 1 << 20, maxBytes: 1 << 30 }, reader, progress: { tick: () => {} } });
    expect(outcome).toEqual({ records: 50 });
    expect(sink.totals.summary.records).toBe(50);
    expect(sink.totals.problems).toEqual([]);
  });

  test("a last line cut off mid-record: incomplete at that line, flows/cut-off", async () => {
    const reader = memoryReader([...snapshot.slice(0, 9), snapshot[9].slice(0, 40)], true);
    const sink = sinkFor(reader);
    const outcome = await replayFile(sink, { path: "mem", display: "mem" }, { workers: 1, limits: { maxLineBytes: 1 << 20, maxBytes: 1 << 30 }, reader, progress: { tick: () => {} } });
    expect(outcome.records).toBe(9);
    expect(outcome.stopped).toMatchObject({ kind: "incomplete", line: 10 });
    expect(sink.totals.problems.map((p) => [p.code, p.line])).toContainEqual(["flows/cut-off", 10]);
  });
});

describe("readRevisionPair over an in-memory RevisionSource", () => {
  const entry = (path: string, blob: string): TreeEntry => ({ path, blob, size: 10 });
  const policy = (name: string) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  selector: all()\n`;
  const blobs = new Map([
    ["cfg", "policies: [p]\n"],
    ["a1", policy("a")],
    ["a2", policy("a2")],
    ["b1", policy("b")],
  ]);
  const trees: Record<string, TreeEntry[]> = {
    tip: [entry("tierguard.yaml", "cfg"), entry("p/a.yaml", "a2")],
    fork: [entry("tierguard.yaml", "cfg"), entry("p/a.yaml", "a1")],
    head: [entry("tierguard.yaml", "cfg"), entry("p/a.yaml", "a1"), entry("p/b.yaml", "b1")],
  };
  const source = (common: string | undefined): RevisionSource => ({
    mergeBase: async () => common,
    tree: async (c) => trees[c],
    texts: async (ids) => new Map(ids.map((id) => [id, blobs.get(id)!])),
  });
  const req = { base: { rev: "main", commit: "tip" }, head: { rev: "pr", commit: "head" }, maxFileBytes: 1 << 20 };

  test("compared with the merge base; configuration and tree for the snapshot from the tip", async () => {
    const pair = await readRevisionPair(source("fork"), req);
    expect(pair.base.commit).toBe("fork");
    expect(pair.baseTip.commit).toBe("tip");
    expect(pair.base.policyFiles.map((f) => [f.file, f.blob])).toEqual([["p/a.yaml", "a1"]]);
    expect(pair.head.policyFiles.map((f) => f.file)).toEqual(["p/a.yaml", "p/b.yaml"]);
    expect(pair.baseTip.tree.map((e) => e.blob)).toEqual(["cfg", "a2"]);
    expect(pair.config.policies).toEqual(["p"]);
    expect(pair.configSource).toBe("base");
    expect(pair.configChanged).toBe(false);
    expect(pair.note).toMatch(/^Compared with the merge base fork of main and the head/);
  });

  test("no common commit: compared with the tip, and the review says so", async () => {
    const pair = await readRevisionPair(source(undefined), req);
    expect(pair.base.commit).toBe("tip");
    expect(pair.base.policyFiles.map((f) => f.blob)).toEqual(["a2"]);
    expect(pair.note).toBe("main and the head share no commit: the change is compared with the tip of main (tip).");
  });
});

describe("the run layer's imports", () => {
  test("no adapter folder, no node:fs nor node:child_process", () => {
    const bad: string[] = [];
    for (const f of readdirSync("src/run")) {
      const text = readFileSync(join("src/run", f), "utf8");
      for (const m of text.matchAll(/from "([^"]+)"/g)) if (/^\.\.\/(io|cli|github|controller|agent)\/|^node:(fs|child_process)/.test(m[1])) bad.push(`${f}: ${m[1]}`);
    }
    expect(bad).toEqual([]);
  });
});
