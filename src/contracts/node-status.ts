/**
 * The contract between the node agent (src/agent) and the controller (src/controller), two adapters that may not
 * import each other: the annotations an agent writes on its own Node object, by merge patch, after each sync that
 * left a ruleset in force. The controller reads them to say "programmed on every node".
 *
 * - `ruleset-hash`: the hash of the nftables ruleset the node enforces. It differs per node (each node compiles only
 *   its own endpoints), so it says *that* a node has a ruleset, not *which policies* it holds.
 * - `policy-digest`: `policyDigest()` (src/reconcile/node-digest.ts) over the tierguard-managed objects the agent
 *   compiled from. The controller computes the same function over the managed objects the cluster holds after it
 *   applied them: equal digests mean the node enforces what was applied.
 * - `applied-at`: ISO time the agent first reported this hash and digest.
 *
 * A Node with none of them has no agent (a cluster where Felix enforces): it is "not reported", never "waiting".
 */
export const NODE_RULESET_HASH_ANNOTATION = "tierguard.dev/ruleset-hash";
export const NODE_POLICY_DIGEST_ANNOTATION = "tierguard.dev/policy-digest";
export const NODE_APPLIED_AT_ANNOTATION = "tierguard.dev/ruleset-applied-at";

/** Every key an agent writes: a Node carrying any of them runs an agent. */
export const NODE_AGENT_ANNOTATIONS: readonly string[] = [NODE_RULESET_HASH_ANNOTATION, NODE_POLICY_DIGEST_ANNOTATION, NODE_APPLIED_AT_ANNOTATION];
