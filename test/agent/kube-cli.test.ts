import { describe, expect, test } from "@jest/globals";
import { expectNoStackTrace, run } from "../cli/helpers.js";

/**
 * How `tierguard agent run` chooses its source: files with --policies and --inventory, the cluster's informers
 * without them (--kubeconfig FILE or in-cluster). Only the refusals run here: a started agent would program this
 * machine's nftables (the informer source and the Node annotation are tested against the fake API server in
 * kube-informers.test.ts).
 */
describe("tierguard agent run: the source", () => {
  test("--policies without --inventory (or the reverse) is a usage error (2)", async () => {
    for (const args of [["--policies", "tiers"], ["--inventory", "flows/inventory.yaml"]]) {
      const r = await run(["agent", "run", "--node", "n", ...args]);
      expectNoStackTrace(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("give both --policies and --inventory (files), or neither (watch the cluster)");
    }
  });

  test("neither files nor a kubeconfig outside a cluster: says it cannot reach the cluster and why (1)", async () => {
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      const r = await run(["agent", "run", "--node", "n"]);
      expectNoStackTrace(r);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("cannot reach the cluster: not running in a cluster (KUBERNETES_SERVICE_HOST is unset) and no --kubeconfig given");
    } finally {
      if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });

  test("a missing --kubeconfig file is named, and a bad --table is refused before the cluster is read", async () => {
    const r = await run(["agent", "run", "--node", "n", "--kubeconfig", "no-such-kubeconfig"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot reach the cluster:");
    expect(r.stderr).toContain("no-such-kubeconfig");
    const t = await run(["agent", "run", "--node", "n", "--kubeconfig", "no-such-kubeconfig", "--table", "bad name"]);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('--table must be a letter then letters, digits, - or _ (at most 64), not "bad name"');
  });
});
