import { createHash } from "node:crypto";
import { NODE_AGENT_ANNOTATIONS, NODE_APPLIED_AT_ANNOTATION, NODE_POLICY_DIGEST_ANNOTATION, NODE_RULESET_HASH_ANNOTATION } from "../contracts/index.js";
import { stableJson } from "../review/index.js";
import { ANNOTATIONS, MANAGED_LABEL, MANAGED_VALUE } from "./types.js";

/**
 * "Programmed on every node": the one digest the agent and the controller both compute, and the comparison of the
 * digests the agents report on their Nodes with the one the controller expects.
 *
 * The digest is over identities and spec hashes, not over the nftables text: each node compiles only its own
 * endpoints, so rulesets differ per node, while the policy objects a node compiled from are the cluster's and the
 * same everywhere. Each managed object counts as `group|kind|namespace|name|spec-hash|content`: the spec-hash
 * annotation the controller writes on every object it applies (src/reconcile/objects.ts), and a hash of the spec
 * the object holds now, so a hand edit the controller has not yet restored (drift: same annotation, another spec)
 * is not taken for what was applied. Both sides read the same API server's JSON, hashed in canonical key order.
 * The lines are sorted, so the order in which a list or an informer returns objects does not matter; objects
 * without tierguard's label (or without a spec hash) are left out, so policies someone else manages in the same
 * cluster never make a node look stale.
 */
export interface DigestObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}

export function policyDigest(objects: Iterable<DigestObject>): string {
  const lines = new Set<string>();
  for (const o of objects) {
    const m = o.metadata;
    const hash = m?.annotations?.[ANNOTATIONS.hash];
    if (!m?.name || !hash || m.labels?.[MANAGED_LABEL] !== MANAGED_VALUE) continue;
    const slash = (o.apiVersion ?? "").lastIndexOf("/");
    const group = slash < 0 ? "" : (o.apiVersion ?? "").slice(0, slash);
    const content = createHash("sha256").update(stableJson(o.spec ?? {})).digest("hex");
    lines.add([group, o.kind ?? "", m.namespace ?? "", m.name, hash, content].join("|"));
  }
  return "sha256:" + createHash("sha256").update([...lines].sort().join("\n")).digest("hex");
}

/** A Node as the controller lists it: its name and annotations. */
export interface NodeMarks {
  name: string;
  annotations?: Record<string, string>;
}

export interface WaitingNode {
  name: string;
  /** The digest the node reports; null when its agent reports a ruleset but no digest (an older agent). */
  digest: string | null;
  /** When the node's agent last reported (its applied-at annotation); null when absent. */
  appliedAt: string | null;
}

/**
 * - "programmed": every node with an agent reports the expected digest (and at least one does);
 * - "waiting": some node with an agent reports another digest, or none;
 * - "none": no node carries an agent annotation (Felix enforces): nothing is said about nodes.
 */
export type ProgrammingState = "programmed" | "waiting" | "none";

export interface NodeProgramming {
  state: ProgrammingState;
  expected: string;
  /** Nodes with an agent: programmed + waiting. */
  reporting: number;
  programmed: string[];
  waiting: WaitingNode[];
  /** Nodes with no agent annotation at all. */
  notReported: string[];
  /** Seconds since the expected digest was applied, when the caller said when (`since`). */
  waitingSeconds?: number;
  /** One line for logs, statuses and the terminal: "programmed on every node (3/3)". */
  summary: string;
}

/** How many waiting nodes a summary names before "and N more". */
export const NAMED_NODES = 3;

/** Compares the nodes' reports with `expected`; `since` and `now` (ms) say how long the wait has lasted. */
export function nodeProgramming(nodes: readonly NodeMarks[], expected: string, o: { since?: number; now?: number } = {}): NodeProgramming {
  const programmed: string[] = [];
  const waiting: WaitingNode[] = [];
  const notReported: string[] = [];
  for (const n of [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const a = n.annotations ?? {};
    if (!NODE_AGENT_ANNOTATIONS.some((k) => a[k] !== undefined)) notReported.push(n.name);
    else if (a[NODE_POLICY_DIGEST_ANNOTATION] === expected) programmed.push(n.name);
    else waiting.push({ name: n.name, digest: a[NODE_POLICY_DIGEST_ANNOTATION] ?? null, appliedAt: a[NODE_APPLIED_AT_ANNOTATION] ?? null });
  }
  const reporting = programmed.length + waiting.length;
  const state: ProgrammingState = reporting === 0 ? "none" : waiting.length === 0 ? "programmed" : "waiting";
  const waitingSeconds = o.since !== undefined && o.now !== undefined ? Math.max(0, Math.round((o.now - o.since) / 1000)) : undefined;
  const result: NodeProgramming = { state, expected, reporting, programmed, waiting, notReported, ...(waitingSeconds !== undefined ? { waitingSeconds } : {}), summary: "" };
  result.summary = programmingSummary(result);
  return result;
}

function programmingSummary(p: Omit<NodeProgramming, "summary">): string {
  if (p.state === "none") return `no node reports a tierguard agent (${p.notReported.length} node(s)): nothing to say about nodes`;
  const unreported = p.notReported.length > 0 ? `; ${p.notReported.length} node(s) not reported` : "";
  if (p.state === "programmed") return `programmed on every node (${p.reporting}/${p.reporting})${unreported}`;
  const names = p.waiting.slice(0, NAMED_NODES).map((w) => w.name);
  const more = p.waiting.length > NAMED_NODES ? ` and ${p.waiting.length - NAMED_NODES} more` : "";
  const long = p.waitingSeconds !== undefined ? ` for ${p.waitingSeconds} s` : "";
  return `waiting on ${p.waiting.length} of ${p.reporting} nodes (${names.join(", ")}${more})${long}${unreported}`;
}

/** The annotations an agent writes for one sync (the controller never writes them). */
export function nodeAnnotations(rulesetHash: string, digest: string, appliedAt: string): Record<string, string> {
  return { [NODE_RULESET_HASH_ANNOTATION]: rulesetHash, [NODE_POLICY_DIGEST_ANNOTATION]: digest, [NODE_APPLIED_AT_ANNOTATION]: appliedAt };
}
