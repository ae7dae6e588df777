/**
 * The connectivity diff (issue 15): exposure no recorded flow has shown yet. Every pair of endpoint classes known
 * from the inventory, the snapshot and the CIDRs of both revisions, through the engine, base and head, at every
 * port and protocol class a rule distinguishes, enforced and pending (staged policies). Pure: part of src/review
 * (imports engine and impact only).
 */
export { connectivityDiff, connectivityPairs, type PendingConnectivity } from "./diff.js";
export { connectivityFindings } from "./findings.js";
export type { ConnectivityChange, ConnectivityMode, ConnectivityReport, EndpointGroup, GroupKind } from "./types.js";
