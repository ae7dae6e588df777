import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { EngineUniverse, PolicySet } from "../../src/engine/index.js";
import { createFlowValueParser } from "../../src/flows/detect.js";
import { parseInventory } from "../../src/flows/inventory.js";
import { Replayer } from "../../src/impact/replay.js";
import { EndpointResolver } from "../../src/impact/resolve.js";
import { ImpactComparer } from "../../src/impact/revisions.js";
import { loadBundle, loadText } from "../../src/policy/index.js";
import { TEMPLATE, templateFiles } from "../helpers/template.js";

/**
 * The review's replay takes the base's outcome as the head's for a flow whose two sides no change touched
 * (engine/side-key.ts). Whatever the change, the report must be exactly the one evaluating every flow twice gives.
 */
const inventory = parseInventory(loadText("inv", readFileSync(join(TEMPLATE, "flows/inventory.yaml"), "utf8")).documents.map((d) => d.value)).inventory;
const lines = gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))).toString("utf8").split("\n").filter(Boolean);
const parse = createFlowValueParser();
const values = lines.map((text, i) => parse(text, i + 1));

/** Base and head over one universe and one resolver, as the review builds them; `needRecord` forces the full path. */
function replay(head: Map<string, string>, reuseUnchanged: boolean, fullPath = false) {
  const universe = new EngineUniverse();
  const resolver = new EndpointResolver(universe, inventory);
  const set = (files: Map<string, string>) => {
    const bundle = loadBundle([...files].map(([file, text]) => ({ file, text })));
    expect(bundle.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return new PolicySet(bundle.resources, { universe });
  };
  const headReplayer = new Replayer(set(head), resolver);
  const comparer = new ImpactComparer(new Replayer(set(templateFiles()), resolver, { raw: headReplayer.raw }), headReplayer, "v3.32", { reuseUnchanged });
  values.forEach((v, i) => {
    // A search hit ({"_source": ...}) is read by the full path, not the raw-field fast path.
    const value = fullPath ? { _source: v.value! } : v.value!;
    expect(comparer.addValue(value, v.format!, i + 1)).toBeUndefined();
  });
  return { report: comparer.finish(["snapshot"], 50), reused: comparer.reused };
}

/** The template with `path` edited: each [from, to] replaced once, and each must be there. */
function edited(path: string, ...edits: Array<[string | RegExp, string]>): Map<string, string> {
  const files = templateFiles();
  let text = files.get(join(TEMPLATE, path))!;
  for (const [from, to] of edits) {
    const next = text.replace(from, to);
    expect(next).not.toBe(text);
    text = next;
  }
  files.set(join(TEMPLATE, path), text);
  return files;
}

const CHANGES: Array<[string, () => Map<string, string>, "some" | "none"]> = [
  ["an ingress rule removed from one application policy", () => edited("application/productcatalogservice.yaml", [/    - action: Allow\n      protocol: TCP\n      source:\n        selector: app == 'frontend'\n/, "    - action: Deny\n      protocol: TCP\n      source:\n        selector: app == 'frontend'\n"]), "some"],
  ["a policy's order moved", () => edited("application/productcatalogservice.yaml", ["order: 100", "order: 5"]), "some"],
  ["a network set's addresses changed (every side may see its peers differently)", () => edited("security/threat-feed.yaml", ["192.0.2.66/32", "10.0.0.0/8"]), "none"],
  // allow-dns puts every workload in the security tier: no side is left alone.
  ["the security tier's default action changed", () => edited("tiers/tiers.yaml", [/name: security\nspec:\n  order: 100\n  defaultAction: Pass/, "name: security\nspec:\n  order: 100\n  defaultAction: Deny"]), "none"],
  ["the staged default deny promoted to enforced", () => edited("platform/default-deny.yaml", ["kind: StagedGlobalNetworkPolicy", "kind: GlobalNetworkPolicy"], ["  stagedAction: Set\n", ""]), "some"],
];

describe("the head's outcome reused where no change touched either side", () => {
  test.each(CHANGES)("%s: the same report as evaluating every flow at the head", (_name, head, reuse) => {
    const files = head();
    const reused = replay(files, true);
    const evaluated = replay(files, false);
    expect(evaluated.reused).toBe(0);
    expect(reused.report).toEqual(evaluated.report);
    expect(reused.reused > 0 ? "some" : "none").toBe(reuse);
  });

  test("the full path (search hits) reuses alike: the same report as evaluating every flow", () => {
    const files = CHANGES[0][1]();
    const reused = replay(files, true, true);
    expect(reused.report).toEqual(replay(files, false, true).report);
    expect(reused.report).toEqual(replay(files, false).report);
    expect(reused.reused).toBeGreaterThan(0);
  });

  test("no change: every head outcome is the base's, and the report is empty", () => {
    const { report, reused } = replay(templateFiles(), true);
    expect(reused).toBe(lines.length);
    expect(report.newlyDenied).toEqual([]);
    expect(report.newlyAllowed).toEqual([]);
  });
});
