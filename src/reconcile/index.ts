/**
 * Reconciliation, the pure half of the controller: the objects the repository wants in a cluster (with the name
 * model and tierguard's marks), the difference from what the cluster holds, a write order with no gap (and the
 * constraints the transitional orderer keeps), staged previews of a pull request, drift, the refusal to empty an
 * environment, and the policy digest that says whether each node's agent enforces what was applied. Core: imports
 * review, impact, engine, flows, policy and selector; no I/O, no Kubernetes client (src/controller is the adapter
 * that reads and writes clusters).
 */
export * from "./types.js";
export { clusterName, MAX_NAME_LENGTH, previewName, tierOf } from "./names.js";
export { clusterKindOf, fromClusterObject, isManaged, ownMarks, PREVIEW_OF_ANNOTATION, refKey, refOf, roleOf, specHash, toClusterObject, type Desired, type DesiredOptions, type Role } from "./objects.js";
export { covers, uncoveredPath } from "./covers.js";
export { NAMED_NODES, nodeAnnotations, nodeProgramming, policyDigest, type DigestObject, type NodeMarks, type NodeProgramming, type ProgrammingState, type WaitingNode } from "./node-digest.js";
export { describe, diffCluster, firstDifference, previewOf, removal, upToDate, writeOf, writeRef, type Conflict, type DiffInput, type DiffResult, type PlannedChange } from "./diff.js";
export { keepsConstraints, noGapOrder, orderChanges, orderConstraints, type OrderWrites } from "./order.js";
export { desiredObjects, planItems, planOf, sourceFile } from "./plan.js";
export { DEFAULT_MAX_DELETE_SHARE, emptyingRefusal, type EmptyingRefusal } from "./empty.js";
export { otherPullRequestsStaging, planStage, planUnstage, sharedPreviews, type StageInput, type StagePlan, type StageSkip } from "./stage.js";
export { driftFindings, editedBehindGit, objectDrift, valueAt, type DriftFinding, type DriftKind } from "./drift.js";
export {
  formatTransitionalFlow,
  transitionalOrderer,
  type TransitionalOrderWrites,
  type TransitionalFlow,
  type TransitionalOptions,
  type TransitionalResult,
  type TransitionalSummary,
  type TransitionalTuple,
  type TransitionalWrite,
} from "./transitional.js";
