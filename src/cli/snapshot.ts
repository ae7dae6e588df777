import { join, resolve } from "node:path";
import type { Inventory } from "../flows/inventory.js";
import { DEFAULT_MAX_INVENTORY_BYTES, inventoryFromText, readInventory } from "../io/inventory.js";
import { exportBlob, readBlobText } from "../io/repo.js";
import type { SnapshotProblem } from "../review/snapshot-problems.js";
import type { FlowFile } from "../run/index.js";
import type { RevisionPair } from "../run/revisions.js";
import { InputError, type CliIo } from "./io.js";

/**
 * The flow snapshot and the inventory a command replays: the files given on the command line, else the ones
 * tierguard.yaml names, read from the base tip of the revision pair (the review's base; the sync's REF).
 */
export interface SnapshotOptions {
  flows?: string[];
  inventory?: string;
}

/**
 * --flows, else the snapshot paths of tierguard.yaml, read from the BASE revision (never from the head). A snapshot
 * tierguard.yaml names that is not there is a problem (the review fails closed), not a note.
 */
export async function flowFiles(opts: SnapshotOptions, pair: RevisionPair, repo: string, scratch: string, io: CliIo, notes: string[], problems: SnapshotProblem[]): Promise<FlowFile[]> {
  if (opts.flows && opts.flows.length > 0) return opts.flows.map((f) => ({ path: resolve(io.cwd, f), display: f, source: f }));
  const out: FlowFile[] = [];
  for (const [i, p] of pair.config.flows.entries()) {
    if (/^https?:\/\//.test(p)) {
      notes.push(`The flow snapshot ${p} is a URL; the command line reads snapshots from the base revision or --flows (the GitHub App fetches URLs).`);
      continue;
    }
    const entry = pair.baseTip.tree.find((e) => e.path === p);
    if (!entry) {
      problems.push({ source: p, kind: "unavailable", reason: `tierguard.yaml names it, but there is no such file in ${pair.base.rev}` });
      continue;
    }
    const dest = join(scratch, `flows-${i}`);
    await exportBlob(repo, entry.blob, dest);
    out.push({ path: dest, display: `${p} (at ${pair.base.rev})`, source: p });
  }
  return out;
}

/** --inventory, else the one tierguard.yaml names, read from the BASE tip in memory. */
export async function loadInventory(opts: SnapshotOptions, pair: RevisionPair, repo: string, io: CliIo, notes: string[]): Promise<Inventory | undefined> {
  const named = pair.config.inventory;
  let read: Awaited<ReturnType<typeof readInventory>> | undefined;
  if (opts.inventory) read = await readInventory(opts.inventory, { cwd: io.cwd });
  else if (named) {
    const entry = pair.baseTip.tree.find((e) => e.path === named);
    if (!entry) {
      notes.push(`The inventory ${named} named in tierguard.yaml is not in the base revision.`);
      return undefined;
    }
    // Checked before reading, as for a file: a blob too large is never read into memory.
    if (entry.size > DEFAULT_MAX_INVENTORY_BYTES) throw new InputError(`cannot use the inventory ${named}: inventory is ${entry.size} bytes; the limit is ${DEFAULT_MAX_INVENTORY_BYTES}`);
    read = inventoryFromText(await readBlobText(repo, entry.blob), named);
  }
  if (!read) return undefined;
  if (!read.inventory) throw new InputError(`cannot use the inventory ${opts.inventory ?? named}: ${read.diagnostics[0]?.message ?? "unreadable"}`);
  return read.inventory;
}
