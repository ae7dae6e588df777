/**
 * The node agent's pure core: policies + the endpoints on one node → an nftables ruleset, and the counters read
 * back into the engine's trace vocabulary. Imports engine, policy, selector and flows only; never node:fs,
 * node:child_process or a Kubernetes client (the agent in src/agent runs nftables and reads files).
 * Every verdict comes from the engine's compiled policy set (STYLE habit 8: simulation runs through the code that
 * enforces).
 */
export { ACCOUNTING_CHAIN, compileRuleset, mapName, DEFAULT_TABLE, type CompileInput, type CompileOptions, type CompileResult, type Ruleset, type LocalEndpoint } from "./compile.js";
export { renderRuleset, type RenderOptions } from "./render.js";
export { INTERFACE_ANNOTATION, inventoryEndpoints, podInterfaces, podsOnNode, type DataplaneEndpoint } from "./endpoints.js";
export { calicoInterfaceName, interfacePrefixProblem, MAX_INTERFACE_NAME, type InterfaceSources } from "./interfaces.js";
export { connectionFlowRecords, type Connection, type Traffic } from "./flows.js";
export { mergedElements, mergeRanges, rangeToCidrs } from "./intervals.js";
export { DEFAULT_MARKS, type CounterInfo, type Marks, type NftChain, type NftRule, type NftMap } from "./model.js";
export type { Refusal } from "./rules.js";
export type { NftSet } from "./sets.js";
