/**
 * The node agent's adapter: runs `nft` and `conntrack` in the node's network namespace, reads the node's pods and
 * policies (files, or Kubernetes informers over @kubernetes/client-node), applies the ruleset src/dataplane compiles in one transaction,
 * reads the counters back, and serves them as metrics. May import io, run and the core (dataplane, engine, policy,
 * flows); no other adapter imports it except the `tierguard agent` command wiring in src/cli/agent.ts.
 */
export { applyRuleset, readCounterValues, type ApplyOptions, type ApplyResult } from "./apply.js";
export { ACCOUNTING_SYSCTL, clearDeniedConnections, conntrackAccounting, parseConntrack, type ConntrackEntry } from "./conntrack.js";
export { aggregatedFlows, readCounters } from "./counters.js";
export { NodeAgent, type AgentOptions, type ClusterSnapshot, type ClusterSource } from "./daemon.js";
export { runCommand, netnsRunner, type CommandResult, type CommandRunner } from "./exec.js";
export { FileSource } from "./file-source.js";
export { agentKubeConfig, DigestingSource, digestingInformerSource, kubeAgentSource, kubeInformerFactory, kubeServed, nodeHashReporter, type KubeInformerOptions } from "./kube-informers.js";
export { InformerSource, INVENTORY_RESOURCES, OPTIONAL_POLICY_RESOURCES, POLICY_RESOURCES, apiPath, type ObjectInformer, type Served, type WatchedResource } from "./informer-source.js";
export { startMetricsServer } from "./metrics-server.js";
export { readNodePods } from "./node-pods.js";
export { BoundedFrequencyRunner, realTimers, type RunnerOptions, type Timers } from "./runner.js";
