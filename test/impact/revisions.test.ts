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

function compare(head: Map<string, string>) {
  const inventory = parseInventory(loadText("inv", readFileSync(join(TEMPLATE, "flows/inventory.yaml"), "utf8")).documents.map((d) => d.value)).inventory;
  const universe = new EngineUniverse();
  const replayer = (files: Map<string, string>) => {
    const bundle = loadBundle([...files].map(([file, text]) => ({ file, text })));
    expect(bundle.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return new Replayer(new PolicySet(bundle.resources, { universe }), new EndpointResolver(universe, inventory));
  };
  const comparer = new ImpactComparer(replayer(templateFiles()), replayer(head), "v3.32");
  const parse = createFlowValueParser();
  const lines = gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))).toString("utf8").split("\n").filter(Boolean);
  lines.forEach((text, i) => {
    const v = parse(text, i + 1);
    expect(comparer.addValue(v.value!, v.format!, i + 1)).toBeUndefined();
  });
  return { report: comparer.finish(["snapshot"], 50), lines };
}

describe("impact of a change, replayed through base and head", () => {
  test("no change: nothing newly denied or allowed", () => {
    const { report, lines } = compare(templateFiles());
    expect(report.newlyDenied).toEqual([]);
    expect(report.newlyAllowed).toEqual([]);
    expect(report.totals.records).toBe(lines.length);
    expect(report.totals.skippedLines).toBe(0);
  });

  test("dropping recommendationservice's allow breaks exactly that edge, counted once per connection", () => {
    const head = templateFiles();
    const path = join(TEMPLATE, "application/productcatalogservice.yaml");
    const text = head.get(path)!;
    const cut = text.replace(/    - action: Allow\n      protocol: TCP\n      source:\n        selector: app == 'recommendationservice'\n      destination:\n        ports:\n          - 3550\n/, "");
    expect(cut).not.toBe(text);
    head.set(path, cut);
    const { report, lines } = compare(head);
    expect(report.newlyAllowed).toEqual([]);
    expect(report.newlyDenied).toHaveLength(1);
    expect(`${report.newlyDenied[0].src} -> ${report.newlyDenied[0].dst}:${report.newlyDenied[0].port}/${report.newlyDenied[0].protocol}`).toMatch(
      /^boutique\/recommendationservice-[a-z0-9]+-\* -> boutique\/productcatalogservice-[a-z0-9]+-\*:3550\/tcp$/,
    );
    const flow = report.newlyDenied[0];
    expect(flow.before.verdict).toBe("allow");
    expect(flow.after).toMatchObject({ verdict: "deny", tier: "application", policy: "NetworkPolicy boutique/productcatalogservice", rule: -1, direction: "ingress" });
    expect(flow.after.decidedBy).toBe("application|np:boutique/productcatalogservice|deny|-1");
    // Both ends report each connection: the volume is each reporter's, not their sum.
    const raw = lines.map((l) => JSON.parse(l)).filter((r) => r.source_name_aggr?.startsWith("recommendationservice") && r.dest_name_aggr?.startsWith("productcatalogservice"));
    const perReporter = (rep: string) => raw.filter((r) => r.reporter === rep).reduce((n, r) => n + r.num_flows, 0);
    expect(flow.flows).toBe(Math.max(perReporter("src"), perReporter("dst")));
    expect(flow.flows).toBeLessThan(perReporter("src") + perReporter("dst"));
    // The rule that no longer exists is not reported as zero-hit; its neighbours are hit.
    expect(report.zeroHitPolicies.filter((p) => p.startsWith("NetworkPolicy boutique/productcatalogservice"))).toEqual([]);
  });

  test("allowing frontend to adservice:9556 is newly allowed, ranked by volume", () => {
    const head = templateFiles();
    const path = join(TEMPLATE, "application/frontend.yaml");
    const text = head.get(path)!;
    expect(text).toMatch(/9555/);
    head.set(path, text.replace(/- 9555\b/, "- 9555\n          - 9556"));
    const path2 = join(TEMPLATE, "application/adservice.yaml");
    head.set(path2, head.get(path2)!.replace(/- 9555\b/, "- 9555\n          - 9556"));
    const { report } = compare(head);
    expect(report.newlyDenied).toEqual([]);
    expect(report.newlyAllowed).toHaveLength(1);
    expect(`${report.newlyAllowed[0].src} -> ${report.newlyAllowed[0].dst}:${report.newlyAllowed[0].port}`).toMatch(/^boutique\/frontend-[a-z0-9]+-\* -> boutique\/adservice-[a-z0-9]+-\*:9556$/);
    expect(report.newlyAllowed[0].before.verdict).toBe("deny");
    expect(report.newlyAllowed[0].after.verdict).toBe("allow");
  });
});
