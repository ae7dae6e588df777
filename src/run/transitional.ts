import { EngineUniverse } from "../engine/index.js";
import { inventoryNamespaceLabels, type Inventory } from "../flows/index.js";
import { EndpointResolver } from "../impact/index.js";
import type { CalicoVersion, Resource } from "../policy/index.js";
import { transitionalOrderer, type OrderWrites } from "../reconcile/index.js";
import type { FlowFile, FlowReader, Progress } from "./flow-lines.js";
import { describeStop } from "./read-outcome.js";
import { collectTuples } from "./tuples.js";

/**
 * The promotion's transitional check, composed for a sync: the snapshot folded into its distinct tuples once, then
 * an orderer that replays them through every intermediate state of the writes the sync plans. The starting state
 * is what the cluster holds (the writes' `before` resources and what they leave alone), known only once the sync
 * has read the cluster; so the orderer is built per call. A snapshot read only in part is a problem the caller
 * must act on (the check would pass over flows it never saw), not a smaller snapshot.
 */
export interface TransitionalCheckInput {
  files: readonly FlowFile[];
  reader: FlowReader;
  inventory?: Inventory;
  version: CalicoVersion;
  progress?: Progress;
}

export interface PreparedTransitionalCheck {
  orderWrites: OrderWrites;
  /** Records folded in, and their distinct tuples. */
  records: number;
  tuples: number;
  /** Why the snapshot is not whole: each file that stopped early, each unreadable line (the first 5). */
  problems: string[];
}

export async function prepareTransitionalCheck(input: TransitionalCheckInput): Promise<PreparedTransitionalCheck> {
  const universe = new EngineUniverse();
  const resolver = new EndpointResolver(universe, input.inventory);
  const collected = await collectTuples({ files: input.files, reader: input.reader, resolver, progress: input.progress });
  const problems: string[] = [];
  for (const { file, outcome } of collected.outcomes) if (outcome.stopped) problems.push(`${file.display}: ${describeStop(outcome.stopped)}`);
  for (const d of collected.problems.slice(0, 5)) problems.push(`${d.file}:${d.line}: ${d.message}`);
  if (collected.problems.length > 5) problems.push(`and ${collected.problems.length - 5} more unreadable lines`);
  const namespaceLabels = input.inventory ? inventoryNamespaceLabels(input.inventory) : undefined;
  const orderWrites: OrderWrites = (changes, constraints, context) => {
    const current: Resource[] = [...(context?.unchanged ?? []), ...changes.flatMap((c) => (c.before ? [c.before] : []))];
    return transitionalOrderer({ current, tuples: collected.tuples, version: input.version, universe, namespaceLabels })(changes, constraints);
  };
  return { orderWrites, records: collected.records, tuples: collected.tuples.length, problems };
}
