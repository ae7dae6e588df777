import { compileRuleset, type Ruleset } from "../dataplane/index.js";
import { counterReport } from "../dataplane/counters.js";
import { renderMetrics, type AgentStatus } from "../dataplane/metrics.js";
import { EngineUniverse, PolicySet } from "../engine/index.js";
import type { Inventory } from "../flows/index.js";
import type { Resource } from "../policy/index.js";
import type { CalicoVersion } from "../policy/version.js";
import { applyRuleset, readCounterValues } from "./apply.js";
import type { CommandRunner } from "./exec.js";
import { BoundedFrequencyRunner, type Timers } from "./runner.js";

/**
 * The long-running node agent: whenever its source reports a change (pods, namespaces, service accounts, policy
 * kinds), recompile; bursts coalesce into one run at most every `minIntervalMs`; every `resyncMs` it re-checks the
 * kernel (a table someone else replaced or deleted is re-applied); failures are retried. It reports the hash it
 * enforces and exposes counters as Prometheus metrics.
 *
 * The source is an interface: in a cluster it is a set of @kubernetes/client-node informers (`InformerSource` over
 * kube-informers.ts); `FileSource` (file-source.ts) watches an exported inventory and policy files.
 */
export interface ClusterSnapshot {
  resources: Resource[];
  inventory: Inventory;
  /** `namespace/name` of this node's pods. */
  localPods: ReadonlySet<string>;
  /** `namespace/name` → host-side interface, for the pods that name one (CompileInput.interfaces). */
  interfaces?: ReadonlyMap<string, string>;
  version: CalicoVersion;
}

export interface ClusterSource {
  /** Begins watching; `onChange` is called after every change (it may be called in bursts). */
  start(onChange: () => void): Promise<void>;
  /** The current state, or why it cannot be used (the previous ruleset then stays in force). */
  snapshot(): Promise<ClusterSnapshot | { error: string }>;
  stop(): void;
}

export interface AgentOptions {
  node: string;
  table: string;
  /** Calico's host veth names for pods without the interface annotation (CompileInput.interfacePrefix). */
  interfacePrefix?: string;
  run: CommandRunner;
  conntrack: boolean;
  minIntervalMs: number;
  resyncMs: number;
  retryMs: number;
  log: (line: string) => void;
  timers?: Timers;
  /** Called after every successful sync (an apply, or the kernel already holding the ruleset) with the hash enforced. */
  onApplied?: (hash: string) => Promise<void>;
}

export class NodeAgent {
  private readonly runner: BoundedFrequencyRunner;
  private current?: Ruleset;
  private readonly state: AgentStatus;

  constructor(
    private readonly source: ClusterSource,
    private readonly options: AgentOptions,
  ) {
    this.state = { node: options.node, applies: 0, failures: 0 };
    this.runner = new BoundedFrequencyRunner(() => this.sync(), {
      minIntervalMs: options.minIntervalMs,
      maxIntervalMs: options.resyncMs,
      retryIntervalMs: options.retryMs,
      timers: options.timers,
    });
  }

  async start(): Promise<void> {
    await this.source.start(() => this.runner.request());
    this.runner.start();
  }

  stop(): void {
    this.runner.stop();
    this.source.stop();
  }

  status(): AgentStatus {
    return { ...this.state };
  }

  /** One reconcile: compile, and apply unless the kernel already holds this exact ruleset. */
  async sync(): Promise<boolean> {
    const snap = await this.source.snapshot();
    if ("error" in snap) return this.fail(`cannot read the cluster state: ${snap.error}`);
    const universe = new EngineUniverse();
    const set = new PolicySet(snap.resources, {
      version: snap.version,
      universe,
      namespaceLabels: new Map([...snap.inventory.namespaces].map(([k, v]) => [k, v.labels])),
    });
    const result = compileRuleset({ policySet: set, universe, inventory: snap.inventory, localPods: snap.localPods, interfaces: snap.interfaces, interfacePrefix: this.options.interfacePrefix }, { table: this.options.table });
    if (!result.ok) return this.fail(`refused: ${result.refusals.map((r) => `${r.file}:${r.line}:${r.col}: [${r.code}] ${r.policy} ${r.path}: ${r.message}`).join("; ")}`);
    const ruleset = result.ruleset;
    if (ruleset.hash === (await this.kernelHash())) {
      this.current = ruleset;
      // Still reported: the policies may have changed without changing this node's ruleset (src/contracts/node-status.ts).
      await this.options.onApplied?.(ruleset.hash);
      return true;
    }
    const applied = await applyRuleset(ruleset, set, { run: this.options.run, conntrack: this.options.conntrack });
    if (!applied.ok) return this.fail(`nft ${applied.stage} failed; the previous table is kept: ${applied.message}`);
    this.current = ruleset;
    Object.assign(this.state, { hash: ruleset.hash, rules: ruleset.stats.rules, setElements: ruleset.stats.setElements, applies: this.state.applies + 1, lastError: undefined });
    this.options.log(`applied ruleset ${ruleset.hash}: ${ruleset.stats.localEndpoints} local endpoints, ${ruleset.stats.rules} rules, ${ruleset.stats.setElements} set elements; ${applied.conntrackDeleted} denied connections ended`);
    for (const w of applied.warnings) this.options.log(`warning: ${w}`);
    await this.options.onApplied?.(ruleset.hash);
    return true;
  }

  async metrics(): Promise<string> {
    if (!this.current) return renderMetrics(this.state);
    const values = await readCounterValues(this.options.run, this.options.table);
    return renderMetrics(this.state, counterReport(this.current, values));
  }

  /** The hash in the comment of the table the kernel holds now (undefined when there is none). */
  private async kernelHash(): Promise<string | undefined> {
    const r = await this.options.run("nft", ["list", "table", "inet", this.options.table]);
    if (r.code !== 0) return undefined;
    return /comment "tierguard ruleset ([0-9a-f]+)"/.exec(r.stdout)?.[1];
  }

  private fail(message: string): false {
    this.state.failures++;
    this.state.lastError = message;
    this.options.log(`error: ${message}`);
    return false;
  }
}
