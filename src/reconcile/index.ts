/**
 * Reconciliation, the pure half of the controller: the objects the repository wants in a cluster (with the name
 * model and tierguard's marks), the difference from what the cluster holds, a write order with no gap, the
 * transitional check (replaying the snapshot through every intermediate state), staged previews of a pull request,
 * drift, and the refusal to empty an environment. Core: imports the engine, impact, flows, policy, selector and
 * review; no I/O, no Kubernetes client (src/controller is the adapter).
 */
export * from "./types.js";
export {
  formatTransitionalFlow,
  transitionalOrderer,
  type OrderWrites,
  type TransitionalFlow,
  type TransitionalOptions,
  type TransitionalResult,
  type TransitionalSummary,
  type TransitionalTuple,
  type TransitionalWrite,
} from "./transitional.js";
