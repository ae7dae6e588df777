import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { addAgentCounters, emptyAgentHits } from "../../src/board/index.js";
import { counterReport } from "../../src/dataplane/counters.js";
import { renderMetrics } from "../../src/dataplane/metrics.js";
import { run, tempDir, type TempDir } from "../cli/helpers.js";
import { build } from "../dataplane/helpers.js";
import { describeInBrowser, launch, openBoard } from "./browser.js";
import { DOCS, STAGED } from "../dataplane/fixtures.js";

/**
 * `tierguard board --counters`: the node agent's own output (its JSON report and its /metrics page, made here by the
 * agent's code from a ruleset compiled by the real compiler) becomes connections per policy and rule on the board,
 * summed over nodes; a policy no counter reached is a candidate for removal; an unreadable file names its line.
 */
const ruleset = (() => {
  const b = build(STAGED, DOCS);
  if (!b.result.ok) throw new Error("refused");
  return b.result.ruleset;
})();
const pendingRule = ruleset.counters.find((c) => c.mode === "pending" && c.kind === "rule" && c.policy?.name === "api-tight")!;
const enforcedRule = ruleset.counters.find((c) => c.mode === "enforced" && c.kind === "rule" && c.policy?.name === "api" && c.direction === "ingress")!;
const values = (n: number) => new Map([[pendingRule.name, { packets: 5 * n, bytes: 1 }], [enforcedRule.name, { packets: 7 * n, bytes: 1 }]]);

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir("tg-board-counters-");
  await dir.write("p.yaml", STAGED);
  // Two nodes: one report as `agent counters --output json` prints it, the other as its /metrics page.
  await dir.write("node-a.json", JSON.stringify(counterReport(ruleset, values(1)), null, 2) + "\n");
  await dir.write("node-b.prom", renderMetrics({ node: "node-b", hash: ruleset.hash, applies: 1, failures: 0 }, counterReport(ruleset, values(2))));
  await dir.write("bad.prom", "# HELP x\ntierguard_policy_hits_total{node=\"n\",walk=\"enforced\"} lots\n");
});
afterAll(() => dir.cleanup());

async function model(file: string) {
  const html = readFileSync(`${dir.path}/${file}`, "utf8");
  const block = (id: string) => JSON.parse(new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, "s").exec(html)![1]);
  const details = block("board-details");
  const m = block("board-data");
  return { m, html, policies: Object.fromEntries(m.tiers.flatMap((t: any) => t.policies).map((p: any) => [`${p.kind}/${p.name}`, { ...p, ...details[p.id] }])) };
}

describe("tierguard board --counters", () => {
  test("JSON reports and /metrics pages add up per policy and rule, as connections", async () => {
    const r = await run(["board", "--policies", "p.yaml", "--counters", "node-a.json", "node-b.prom", "--out", "c.html"], { cwd: dir.path });
    expect([r.code, r.stderr]).toEqual([0, "tierguard: wrote the board (3 policies) to c.html\n"]);
    const { m, policies, html } = await model("c.html");
    expect(m.agent).toEqual({ sources: ["node-a.json", "node-b.prom"], reports: 2, rulesets: [ruleset.hash], connections: 36, notOnBoard: [] });
    expect(policies["NetworkPolicy/api"].agent).toEqual({ allowed: 21, denied: 0, passed: 0, pending: 0 });
    expect(policies["NetworkPolicy/api"].rules.find((x: any) => x.path === "spec.ingress[0]").agent).toEqual({ allowed: 21, denied: 0, passed: 0, pending: 0 });
    expect(policies["StagedNetworkPolicy/api-tight"].agent).toEqual({ allowed: 0, denied: 0, passed: 0, pending: 15 });
    expect(policies["NetworkPolicy/api"].noHits).toBe(false);
    // No counter reached the staged delete: a candidate for removal, without any flow snapshot.
    expect(policies["StagedNetworkPolicy/api"]).toMatchObject({ noHits: true });
    expect(html).toContain("connections counted by 2 node agents");
    expect(m.sources).toContain("agent counters: node-a.json");
  });

  test("counters of policies the board does not have are counted apart and named in the header", async () => {
    await dir.write("other.prom", 'tierguard_policy_hits_total{node="n",walk="enforced",direction="ingress",kind="rule",tier="default",policy="np:shop/gone",rule="0",action="allow"} 4\n');
    const r = await run(["board", "--policies", "p.yaml", "--counters", "other.prom", "--out", "o.html"], { cwd: dir.path });
    expect(r.code).toBe(0);
    const { m, html } = await model("o.html");
    expect(m.agent.notOnBoard).toEqual(["np:shop/gone"]);
    expect(html).toContain("<dt>counted policies not on this board</dt><dd>1 (np:shop/gone): counters of another ruleset or Calico version</dd>");
  });

  test("an unreadable counters file is an error naming file and line, and no board is written", async () => {
    const r = await run(["board", "--policies", "p.yaml", "--counters", "bad.prom", "--out", "bad.html"], { cwd: dir.path });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad.prom:2: error [counters/unreadable] not a tierguard_policy_hits_total sample: name{labels} value\n");
    expect(() => readFileSync(`${dir.path}/bad.html`)).toThrow();
  });

  test("hostile input stays linear: a line of 200,000 braces and no value, a report of unbalanced brackets", () => {
    const hits = emptyAgentHits();
    expect(addAgentCounters(hits, `tierguard_policy_hits_total{${"} ".repeat(200_000)}\n`, "x")).toEqual([{ line: 1, message: "not a tierguard_policy_hits_total sample: name{labels} value" }]);
    expect(addAgentCounters(hits, `{"counters": [${"[".repeat(100_000)}`, "y")).toEqual([{ line: 1, message: "not JSON: unbalanced brackets or an unterminated string" }]);
    expect(addAgentCounters(hits, `{"hash":"h","counters":[]}\n{"hash":"h2","counters":[]}\n[{"hash":"h3","counters":[]}]\n`, "z")).toEqual([]);
    expect(hits.rulesets).toEqual(["h", "h2", "h3"]);
  }, 5_000);
});

describeInBrowser("the agents' counts in the browser", () => {
  test("the row and the details show connections; without a snapshot the rules table has no record columns", async () => {
    await run(["board", "--policies", "p.yaml", "--counters", "node-a.json", "node-b.prom", "--out", "view.html"], { cwd: dir.path });
    const browser = await launch();
    try {
      const { page, requests, errors } = await openBoard(browser, `${dir.path}/view.html`);
      const row = page.locator('.policy[data-flowname="np:shop/api"]');
      expect(await row.locator(".n-agent").getAttribute("data-agent")).toBe("21,0,0,0");
      await row.click();
      expect(await page.locator('#details [data-section="agent"]').innerText()).toContain("agent: allowed 21 · denied 0 · passed 0 · pending 0 connections");
      expect(await page.locator("#details table thead th").allInnerTexts()).toEqual(["rule", "line", "what it does", "agent connections"]);
      expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 20_000);
});
