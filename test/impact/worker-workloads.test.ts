import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { EngineUniverse, PolicySet } from "../../src/engine/index.js";
import { createFlowValueParser } from "../../src/flows/detect.js";
import { Replayer } from "../../src/impact/replay.js";
import { EndpointResolver } from "../../src/impact/resolve.js";
import { ImpactComparer } from "../../src/impact/revisions.js";
import { loadBundle } from "../../src/policy/index.js";
import { TEMPLATE, templateFiles } from "../helpers/template.js";

/**
 * Worker threads replay ranges of a snapshot with universes of their own; the workloads each one met must reach the
 * main thread's resolver (the review's checks fall back on them), in the order one thread would have met them.
 */
// The first 4,000 records: workloads enough to check their order, at a fifth of the whole snapshot's cost.
const lines = gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))).toString("utf8").split("\n").filter(Boolean).slice(0, 4_000);

/** A comparer as a worker (or the main thread) builds one: its own universe and resolver, no inventory. */
function comparer() {
  const universe = new EngineUniverse();
  const resolver = new EndpointResolver(universe);
  const bundle = loadBundle([...templateFiles()].map(([file, text]) => ({ file, text })));
  const set = () => new PolicySet(bundle.resources, { universe });
  const head = new Replayer(set(), resolver);
  return { universe, resolver, comparer: new ImpactComparer(new Replayer(set(), resolver, { raw: head.raw }), head, "v3.32") };
}

function feed(c: ImpactComparer, from: number, to: number): void {
  const parse = createFlowValueParser();
  for (let i = from; i < to; i++) {
    const v = parse(lines[i], i + 1);
    expect(c.addValue(v.value!, v.format!, i + 1)).toBeUndefined();
  }
}

const described = (r: EndpointResolver) => r.workloads().map((w) => `${w.name} ${JSON.stringify([...w.endpoint.labels.map])}`);

describe("workloads met by worker threads", () => {
  test("merged into the main thread's resolver, in file order, as one thread meets them", () => {
    const one = comparer();
    feed(one.comparer, 0, lines.length);
    const cut = Math.floor(lines.length / 2);
    const [first, second] = [comparer(), comparer()];
    feed(first.comparer, 0, cut);
    feed(second.comparer, cut, lines.length);
    const main = comparer();
    // Posted between threads: structured clone, as the runner's messages are.
    main.comparer.mergeState(structuredClone(first.comparer.exportState()), 0);
    main.comparer.mergeState(structuredClone(second.comparer.exportState()), cut);
    expect(described(one.resolver).length).toBeGreaterThan(5);
    expect(described(main.resolver)).toEqual(described(one.resolver));
    // The endpoints are the main thread's: their label sets are interned in its universe.
    for (const w of main.resolver.workloads()) expect(main.universe.labels.intern(w.endpoint.labels.map, w.endpoint.labels.unknown)).toBe(w.endpoint.labels);
    expect(main.comparer.finish(["s"], 50)).toEqual(one.comparer.finish(["s"], 50));
  });

  test("a worker that met no workload posts none", () => {
    const idle = comparer();
    expect(idle.comparer.exportState().workloadRefs).toEqual([]);
  });
});
