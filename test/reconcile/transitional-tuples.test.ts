import { describe, expect, test } from "@jest/globals";
import { EngineUniverse } from "../../src/engine/index.js";
import { EndpointResolver } from "../../src/impact/index.js";
import { DEFAULT_CALICO_VERSION } from "../../src/policy/index.js";
import { transitionalOrderer } from "../../src/reconcile/index.js";
import { collectTuples } from "../../src/run/index.js";
import type { FlowReader, LineEvent } from "../../src/run/flow-lines.js";
import { flow, pod } from "../recommend/helpers.js";
import { create, one, remove } from "./transitional-helpers.js";

/** The run layer folds a snapshot into distinct tuples, which the transitional check takes as they are. */
function memoryReader(lines: string[]): FlowReader {
  return {
    async *lines(): AsyncIterable<LineEvent> {
      for (const [i, text] of lines.entries()) yield { type: "line", line: { number: i + 1, text } };
    },
    inspect: () => Promise.resolve(undefined),
  };
}

const web = pod("shop", "web-1", "10.0.0.1", "app=web");
const frontend = pod("shop", "frontend-1", "10.0.0.2", "app=frontend");
const frontend2 = pod("shop", "frontend-2", "10.0.0.4", "app=frontend");

describe("collectTuples", () => {
  test("records fold into distinct tuples with their counts; an unreadable line is a problem with its line", async () => {
    const lines = [flow(frontend, web, 8080), flow(frontend, web, 8080, { reporter: "dst" }), "{not json", flow(frontend2, web, 8080), flow(frontend, web, 9090)];
    const universe = new EngineUniverse();
    const got = await collectTuples({ files: [{ path: "snap.jsonl", display: "snap.jsonl" }], reader: memoryReader(lines), resolver: new EndpointResolver(universe) });
    expect(got.records).toBe(4);
    expect(got.tuples.map((t) => [t.src.endpoint.name, t.dst.endpoint.name, t.port, t.records]).sort()).toEqual([
      ["frontend-1", "web-1", 8080, 2],
      ["frontend-1", "web-1", 9090, 1],
      ["frontend-2", "web-1", 8080, 1],
    ]);
    expect(got.problems.map((p) => [p.code, p.line])).toEqual([["flows/malformed-json", 3]]);
    expect(got.outcomes.map((o) => o.outcome)).toEqual([{ records: 4 }]);
  });

  test("the collected tuples drive the check: a rename's gap is found and repaired, replicas counted as one class", async () => {
    const lines = [flow(frontend, web, 8080), flow(frontend, web, 8080), flow(frontend2, web, 8080)];
    const universe = new EngineUniverse();
    const { tuples } = await collectTuples({ files: [{ path: "s", display: "s" }], reader: memoryReader(lines), resolver: new EndpointResolver(universe) });
    const np = (name: string, body: string) => one(`apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: shop }\nspec:\n${body}`);
    const deny = np("deny", "  selector: app == 'web'\n  order: 1000\n  types: [Ingress]\n");
    const allow = (name: string) => np(name, "  selector: app == 'web'\n  ingress:\n    - action: Allow\n      source: { selector: app == 'frontend' }\n");
    const check = transitionalOrderer({ current: [deny, allow("old")], tuples, version: DEFAULT_CALICO_VERSION, universe });
    const held = check([remove(allow("old")), create(allow("new"))], [[0, 1]]);
    expect(held.transitional.map((f) => [f.records, f.tuples])).toEqual([[3, 2]]);
    expect(held.summary).toMatchObject({ tuples: 2, classes: 1, checked: 1 });
    expect(check([remove(allow("old")), create(allow("new"))], [])).toMatchObject({ order: [1, 0], safe: true });
  });
});
