import { MANAGED_LABEL, MANAGED_VALUE, nodeProgramming, policyDigest, type ClusterObject, type NodeProgramming } from "../reconcile/index.js";
import type { ClusterPort } from "./port.js";

/**
 * "Programmed on every node": after the controller applied a state, each node's agent reports the digest of the
 * managed policy objects it compiled from (src/contracts/node-status.ts); the controller computes the same digest
 * (src/reconcile/node-digest.ts) over the managed objects the cluster holds, and compares. The expected digest is
 * read from the cluster, not from the plan, so previews of open pull requests and objects an earlier run wrote all
 * count, exactly as the agents see them.
 */

/** The digest of every managed object the cluster holds now, over the kinds the server serves (others would 404). */
export async function clusterDigest(port: ClusterPort): Promise<string> {
  const { kinds } = await port.discover();
  const objects: ClusterObject[] = [];
  for (const kind of kinds) objects.push(...(await port.list(kind, `${MANAGED_LABEL}=${MANAGED_VALUE}`)));
  return policyDigest(objects);
}

/**
 * Remembers the digest last applied and since when (a wait is measured from the moment the expected state
 * changed, not from each check), and compares the nodes with it. Undefined results: the port cannot read Nodes,
 * or no digest has been taken yet.
 */
export class NodeTracker {
  private expected?: string;
  private since = 0;

  constructor(
    private readonly port: ClusterPort,
    private readonly now: () => number = Date.now,
  ) {}

  /** After a write (or a sync that found nothing to write): re-read the expected digest, then compare. */
  async afterApply(): Promise<NodeProgramming | undefined> {
    if (!this.port.nodes) return undefined;
    const digest = await clusterDigest(this.port);
    if (digest !== this.expected) {
      this.expected = digest;
      this.since = this.now();
    }
    return this.check();
  }

  /** The nodes against the digest last applied (the periodic pass: a Node list only). */
  async check(): Promise<NodeProgramming | undefined> {
    if (!this.port.nodes || this.expected === undefined) return undefined;
    return nodeProgramming(await this.port.nodes(), this.expected, { since: this.since, now: this.now() });
  }
}

/** The fields a log line or a record carries about nodes: counts, and the first waiting nodes by name. */
export function nodeFields(p: NodeProgramming): Record<string, unknown> {
  return {
    state: p.state,
    reporting: p.reporting,
    programmed: p.programmed.length,
    waiting: p.waiting.slice(0, 10).map((w) => w.name),
    waitingCount: p.waiting.length,
    notReported: p.notReported.length,
    ...(p.waitingSeconds !== undefined && p.state === "waiting" ? { waitingSeconds: p.waitingSeconds } : {}),
    expected: p.expected,
  };
}
