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

/**
 * `tierguard agent [options]`, the form of the long-running agent, is `agent run` without the word: the same
 * options and refusals; the one-shot commands keep their own options and help (positional options: the agent's are
 * read only before a command).
 */
describe("tierguard agent [options]: the long-running agent without `run`", () => {
  test("the same source rules as agent run: a usage error (2), a missing kubeconfig named (1)", async () => {
    const half = await run(["agent", "--node", "n", "--policies", "tiers"]);
    expectNoStackTrace(half);
    expect([half.code, half.stderr]).toEqual([2, "tierguard: give both --policies and --inventory (files), or neither (watch the cluster)\n"]);
    const kube = await run(["agent", "--node", "n", "--kubeconfig", "no-such-kubeconfig"]);
    expect(kube.code).toBe(1);
    expect(kube.stderr).toMatch(/^tierguard: cannot reach the cluster: .*no-such-kubeconfig/);
    const bare = await run(["agent"]);
    expect([bare.code, bare.stderr]).toEqual([2, "tierguard: give --node NAME (this node's name) to run the agent, or a command: compile, apply, counters, run (tierguard agent --help)\n"]);
  });

  test("agent --help is the agent's own usage: the run options and the commands; each command's help is its own", async () => {
    const help = await run(["agent", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tierguard agent \[options\] \| <command> \[options\]\n/);
    for (const word of ["--metrics-port <n>", "--resync <s>", "--node <name>", "compile [options]", "apply [options]", "counters [options]", "run [options]"]) expect(help.stdout).toContain(word);
    const compile = await run(["agent", "compile", "--help"]);
    expect(compile.code).toBe(0);
    expect(compile.stdout).toMatch(/^Usage: tierguard agent compile \[options\]\n/);
    expect(compile.stdout).toContain("--stats");
    expect(compile.stdout).not.toContain("--metrics-port");
    const runHelp = await run(["agent", "run", "--help"]);
    expect(runHelp.stdout).toMatch(/^Usage: tierguard agent run \[options\]\n/);
    expect(runHelp.stdout).toContain("--metrics-port <n>");
  });

  test("a command's options stay the command's: agent compile --table is compile's, refused as compile refuses it", async () => {
    const r = await run(["agent", "compile", "--policies", "tiers", "--inventory", "flows/inventory.yaml", "--node", "n", "--table", "bad name"]);
    expect([r.code, r.stderr]).toEqual([2, 'tierguard: --table must be a letter then letters, digits, - or _ (at most 64), not "bad name"\n']);
  });
});
