import { describe, expect, test } from "@jest/globals";
import { counterFlowRecords, counterReport } from "../../src/dataplane/counters.js";
import { renderMetrics } from "../../src/dataplane/metrics.js";
import { parseEnterpriseRecord } from "../../src/flows/index.js";
import { build } from "./helpers.js";
import { DOCS, STAGED } from "./fixtures.js";

/** Counters read back: per-rule hits in the engine's vocabulary, flow-log records, Prometheus text. */
function staged() {
  const b = build(STAGED, DOCS);
  if (!b.result.ok) throw new Error("refused");
  return b.result.ruleset;
}

describe("agent counters", () => {
  const ruleset = staged();
  const pendingRule = ruleset.counters.find((c) => c.mode === "pending" && c.kind === "rule" && c.policy?.name === "api-tight")!;
  const enforcedEot = ruleset.counters.find((c) => c.mode === "enforced" && c.kind === "end-of-tier" && c.direction === "ingress" && c.protocol === 6)!;
  const values = new Map([
    [pendingRule.name, { packets: 5, bytes: 300 }],
    [enforcedEot.name, { packets: 2, bytes: 120 }],
  ]);

  test("json: every counter with its hit string; per-policy sums by walk", () => {
    const r = counterReport(ruleset, values);
    expect(r.hash).toBe(ruleset.hash);
    expect(r.counters.find((c) => c.name === pendingRule.name)).toMatchObject({ mode: "pending", direction: "ingress", hit: "0|security|snp:shop/api-tight|allow|0", packets: 5 });
    expect(r.counters.find((c) => c.name === enforcedEot.name)).toMatchObject({ mode: "enforced", kind: "end-of-tier", hit: "0|default|np:shop/api|deny|-1", packets: 2 });
    expect(r.policies).toContainEqual({ policy: "snp:shop/api-tight", tier: "security", enforced: 0, pending: 5 });
    expect(r.policies).toContainEqual({ policy: "np:shop/api", tier: "default", enforced: 2, pending: 0 });
  });

  test("flows: one Calico Enterprise flow-log record per counter hit, readable by tierguard's own reader", () => {
    const records = counterFlowRecords(ruleset, values, "v3.32", 1_700_000_000_000);
    expect(records).toHaveLength(2);
    const pending = records.find((r) => r.tierguard_counter === pendingRule.name)!;
    expect(pending).toMatchObject({ reporter: "dst", action: "allow", num_flows: 5, policies: { enforced_policies: [], pending_policies: ["0|security|snp:shop/api-tight|allow|0"] } });
    const enforced = records.find((r) => r.tierguard_counter === enforcedEot.name)!;
    expect(enforced).toMatchObject({ action: "deny", policies: { enforced_policies: ["0|default|np:shop/api|deny|-1"], pending_policies: [] } });
    for (const r of records) expect(parseEnterpriseRecord(r, 1).diagnostics).toEqual([]);
  });

  test("metrics: the enforced hash, sizes and every counter as a labelled series", () => {
    const text = renderMetrics({ node: "node-a", hash: ruleset.hash, rules: 10, setElements: 20, applies: 3, failures: 1 }, counterReport(ruleset, values));
    expect(text).toContain(`tierguard_agent_ruleset_info{node="node-a",hash="${ruleset.hash}"} 1\n`);
    expect(text).toContain('tierguard_agent_apply_failures_total{node="node-a"} 1\n');
    expect(text).toContain('tierguard_policy_hits_total{node="node-a",walk="pending",direction="ingress",kind="rule",tier="security",policy="snp:shop/api-tight",rule="0",action="allow"} 5\n');
  });
});
