import { describe, expect, test } from "@jest/globals";
import { NodeAgent, type ClusterSnapshot, type ClusterSource } from "../../src/agent/daemon.js";
import type { CommandRunner } from "../../src/agent/exec.js";
import { BoundedFrequencyRunner, type Timers } from "../../src/agent/runner.js";
import { apiPath, InformerSource } from "../../src/agent/informer-source.js";
import { calicoInterfaceName, podsOnNode } from "../../src/dataplane/index.js";
import { parseInventory } from "../../src/flows/index.js";
import { DEFAULT_CALICO_VERSION } from "../../src/policy/version.js";
import { resources } from "../helpers/engine.js";
import { DOCS, NOT_EVALUATED, TIERED } from "../dataplane/fixtures.js";

/** The long-running agent without a cluster or root: a manual clock, a fake source, a recording nft. */
class ManualTimers implements Timers {
  private t = 0;
  private queue: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.queue.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.queue = this.queue.filter((q) => q.id !== h);
  };
  /** Advances the clock, firing due timers in order and letting their promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.t = end;
  }
}

describe("bounded-frequency runner", () => {
  const setup = (results: boolean[] = []) => {
    const timers = new ManualTimers();
    const runs: number[] = [];
    const runner = new BoundedFrequencyRunner(async () => {
      runs.push(timers.now());
      return results.shift() ?? true;
    }, { minIntervalMs: 1000, maxIntervalMs: 60_000, retryIntervalMs: 5000, timers });
    return { timers, runs, runner };
  };

  test("a burst of changes coalesces into one run, no sooner than minInterval after the last", async () => {
    const { timers, runs, runner } = setup();
    runner.start();
    await timers.advance(0);
    for (let i = 0; i < 5; i++) {
      runner.request();
      await timers.advance(100);
    }
    await timers.advance(2000);
    expect(runs).toEqual([0, 1000]);
  });

  test("a failed run is retried after retryInterval; an idle agent resyncs every maxInterval", async () => {
    const { timers, runs, runner } = setup([false, true]);
    runner.start();
    await timers.advance(130_000);
    expect(runs).toEqual([0, 5000, 65_000, 125_000]);
    runner.stop();
  });
});

/** A recording nft that keeps the last loaded table, as the kernel would. */
function kernel() {
  let table = "";
  const calls: string[] = [];
  const run: CommandRunner = async (command, args, input) => {
    calls.push(`${command} ${args.join(" ")}`);
    if (command === "nft" && args[0] === "-f") table = input ?? "";
    if (command === "nft" && args[0] === "list" && args[1] === "table") return table ? { code: 0, stdout: table, stderr: "" } : { code: 1, stdout: "", stderr: "No such file or directory" };
    if (command === "nft" && args[0] === "-j") return { code: 1, stdout: "", stderr: "" };
    return { code: 0, stdout: "", stderr: "" };
  };
  return { run, calls };
}

const options = (run: CommandRunner, logs: string[]) => ({ node: "node-a", table: "tierguard", run, conntrack: true, minIntervalMs: 1000, resyncMs: 60_000, retryMs: 5000, log: (l: string) => void logs.push(l) });

describe("node agent", () => {
  const { inventory } = parseInventory(DOCS);
  const snapshot = (yaml: string): ClusterSnapshot => ({ resources: resources(yaml), inventory, localPods: podsOnNode(DOCS, "node-a"), version: DEFAULT_CALICO_VERSION });
  const source = (yaml: () => string): ClusterSource => ({ start: async () => undefined, snapshot: async () => snapshot(yaml()), stop: () => undefined });


  test("applies, then leaves an identical kernel table alone on resync; reports the hash in metrics", async () => {
    const k = kernel();
    const logs: string[] = [];
    const agent = new NodeAgent(source(() => TIERED), options(k.run, logs));
    expect(await agent.sync()).toBe(true);
    const hash = agent.status().hash!;
    expect(logs[0]).toMatch(new RegExp(`^applied ruleset ${hash}: 2 local endpoints, \\d+ rules`));
    k.calls.length = 0;
    expect(await agent.sync()).toBe(true);
    expect(k.calls).toEqual(["nft list table inet tierguard"]);
    expect(agent.status().applies).toBe(1);
    expect(await agent.metrics()).toContain(`tierguard_agent_ruleset_info{node="node-a",hash="${hash}"} 1`);
  });

  test("a refused policy set keeps the previous ruleset, counts a failure and says why", async () => {
    const k = kernel();
    const logs: string[] = [];
    let yaml = TIERED;
    const agent = new NodeAgent(source(() => yaml), options(k.run, logs));
    await agent.sync();
    const hash = agent.status().hash;
    yaml = NOT_EVALUATED;
    k.calls.length = 0;
    expect(await agent.sync()).toBe(false);
    expect(k.calls).toEqual([]);
    expect(agent.status()).toMatchObject({ hash, failures: 1, applies: 1 });
    expect(agent.status().lastError).toContain("[dataplane/not-evaluated] NetworkPolicy shop/uses-http spec.ingress[0]");
  });

  test("--interface-prefix reaches the compiler: the loaded table holds each local pod to Calico's veth name", async () => {
    const k = kernel();
    const agent = new NodeAgent(source(() => TIERED), { ...options(k.run, []), interfacePrefix: "cali" });
    expect(await agent.sync()).toBe(true);
    const loaded = (await k.run("nft", ["list", "table", "inet", "tierguard"])).stdout;
    expect(loaded).toContain(`"${calicoInterfaceName("cali", "shop", "web-1")}" . 10.0.1.10`);
    expect(loaded).toContain(`"${calicoInterfaceName("cali", "shop", "api-1")}" . 10.0.1.20`);
  });
});

describe("informer source", () => {
  class FakeInformer {
    items: unknown[] = [];
    handlers: Record<string, Array<(o: unknown) => void>> = {};
    list = () => this.items;
    on = (ev: string, cb: (o: unknown) => void) => void (this.handlers[ev] ??= []).push(cb);
    start = async () => undefined;
    stop = () => undefined;
    emit(ev: string, o: unknown) {
      for (const h of this.handlers[ev] ?? []) h(o);
    }
  }

  test("lists every watched kind into a snapshot, signals changes, and compiles like the files would", async () => {
    const fakes = new Map<string, FakeInformer>();
    const source = new InformerSource((r) => {
      const f = new FakeInformer();
      fakes.set(apiPath(r), f);
      return f;
    }, "node-a", DEFAULT_CALICO_VERSION);
    let changes = 0;
    await source.start(() => changes++);
    expect([...fakes.keys()]).toContain("/apis/projectcalico.org/v3/globalnetworkpolicies");
    expect([...fakes.keys()]).toContain("/api/v1/pods");
    // List items come without kind and apiVersion, as the API returns them.
    const strip = (o: { kind?: string; apiVersion?: string }) => ({ ...o, kind: undefined, apiVersion: undefined });
    const items = (DOCS[0] as { items: Array<{ kind: string }> }).items;
    fakes.get("/api/v1/pods")!.items = items.filter((i) => i.kind === "Pod").map(strip);
    fakes.get("/api/v1/namespaces")!.items = items.filter((i) => i.kind === "Namespace").map(strip);
    fakes.get("/api/v1/serviceaccounts")!.items = items.filter((i) => i.kind === "ServiceAccount").map(strip);
    fakes.get("/apis/projectcalico.org/v3/networkpolicies")!.items = [{ metadata: { name: "web", namespace: "shop" }, spec: { selector: "app == 'web'", ingress: [{ action: "Allow" }] } }];
    fakes.get("/apis/projectcalico.org/v3/networkpolicies")!.emit("add", {});
    expect(changes).toBe(1);
    const snap = await source.snapshot();
    if ("error" in snap) throw new Error(snap.error);
    expect([...snap.localPods].sort()).toEqual(["shop/api-1", "shop/web-1"]);
    expect(snap.resources.map((r) => `${r.kind}/${r.metadata.name}`)).toEqual(["NetworkPolicy/web"]);
    const k = kernel();
    const agent = new NodeAgent(source, options(k.run, []));
    expect(await agent.sync()).toBe(true);
    expect(k.calls).toContain("nft -f /dev/stdin");
  });
});
