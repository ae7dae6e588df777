import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileFlowReader } from "../io/flow-reader.js";
import type { CalicoVersion } from "../policy/index.js";
import type { Log } from "../contracts/index.js";
import type { OrderWrites } from "../reconcile/index.js";
import { prepareTransitionalCheck } from "../run/transitional.js";
import type { RevisionPair } from "../run/revisions.js";
import { InputError, type CliIo } from "./io.js";
import { ProgressLine } from "./progress.js";
import { flowFiles, loadInventory } from "./snapshot.js";

/**
 * The transitional check for `tierguard sync`: the flow snapshot and inventory tierguard.yaml names at REF (the
 * pair's base tip), folded into tuples, as an orderer for the sync. No snapshot named: nothing to replay, and the
 * sync says so. A snapshot that cannot be read whole refuses the sync (the check would pass over what it never
 * saw) unless --allow-transitional, which then goes on with the no-gap order alone.
 */
export async function syncOrderer(pair: RevisionPair, repo: string, version: CalicoVersion, allowTransitional: boolean, io: CliIo, log: Log): Promise<OrderWrites | undefined> {
  const notes: string[] = [];
  const scratch = await mkdtemp(join(tmpdir(), "tierguard-sync-"));
  try {
    const problems: string[] = [];
    const inventory = await loadInventory({}, pair, repo, io, notes);
    const files = await flowFiles({}, pair, repo, scratch, io, notes, []);
    for (const p of pair.config.flows) if (!files.some((f) => f.source === p) && !/^https?:\/\//.test(p)) problems.push(`${p}: tierguard.yaml names it, but it is not in ${pair.head.rev}`);
    for (const n of notes) log.warn({ transitional: "snapshot" }, n);
    if (files.length === 0 && problems.length === 0) {
      log.info({ transitional: "skipped" }, "tierguard.yaml names no flow snapshot: the transitional check has nothing to replay (the no-gap order is used)");
      return undefined;
    }
    const progress = new ProgressLine(io, "records");
    const check = await prepareTransitionalCheck({ files, reader: fileFlowReader, inventory, version, progress });
    progress.done();
    problems.push(...check.problems);
    if (problems.length > 0) {
      const what = `the flow snapshot cannot be read whole:\n  - ${problems.join("\n  - ")}`;
      if (!allowTransitional) throw new InputError(`refused: ${what}\n(the transitional check needs every record; --allow-transitional applies without it)`);
      log.warn({ transitional: "skipped", problems }, `${what}; --allow-transitional: going on with the no-gap order alone`);
      return undefined;
    }
    log.info({ transitional: "checked", records: check.records, tuples: check.tuples }, `transitional check over ${check.records} records (${check.tuples} distinct flows)`);
    return check.orderWrites;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
