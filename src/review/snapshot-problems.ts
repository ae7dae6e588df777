import type { Finding } from "./types.js";

/**
 * Snapshot problems as findings: a flow snapshot the review could not use whole fails the review (or warns, as
 * tierguard.yaml's `impact.snapshotProblems` says), because a replay of part of the traffic, or of none, would
 * otherwise conclude that nothing breaks. Pure: the callers detect the problems while fetching and reading.
 */

/** A flow snapshot the review could not use whole. */
export interface SnapshotProblem {
  /** The snapshot as tierguard.yaml names it (a URL already scrubbed of credentials by whoever fetched it). */
  source: string;
  /** unavailable: could not be fetched or opened; incomplete: reading stopped part-way (truncated gzip, cut last
   *  line, read error, size limit); empty: read whole but gave no replayable record. */
  kind: "unavailable" | "incomplete" | "empty";
  /** Why, in words, for the finding's message. */
  reason: string;
}

/** How reading one snapshot ended, as the replay reports it (see src/run/read-outcome.ts). */
export interface SnapshotRead {
  records: number;
  stopped?: { kind: "unavailable" | "incomplete"; line: number; cause: string };
}

/** The problem with one snapshot read, if any: stopping early outranks having replayed nothing. */
export function snapshotProblemOf(source: string, read: SnapshotRead): SnapshotProblem | undefined {
  const stop = read.stopped;
  if (stop) {
    const where = stop.line > 0 ? `reading stopped at line ${stop.line}: ` : "";
    const kept = stop.kind === "incomplete" ? `; only the ${plural(read.records, "record")} before it were replayed` : "";
    return { source, kind: stop.kind, reason: `${where}${stop.cause}${kept}` };
  }
  if (read.records === 0) return { source, kind: "empty", reason: "it was read to the end but holds no flow record that could be replayed (every line is blank or unreadable)" };
  return undefined;
}

const WHAT: Record<SnapshotProblem["kind"], string> = {
  unavailable: "could not be read",
  incomplete: "was read only in part",
  empty: "gave no flow record",
};

/**
 * One finding per problem, at severity `level`. Located at the snapshot itself, marked as a base-revision file:
 * the snapshot is read from the base, and a URL is no path a check-run annotation could point at.
 */
export function snapshotFindings(problems: readonly SnapshotProblem[], level: "error" | "warning"): Finding[] {
  return problems.map((p) => ({
    code: `impact/snapshot-${p.kind}`,
    severity: level,
    message:
      `The flow snapshot ${p.source} ${WHAT[p.kind]} (${p.reason}), so the impact on production traffic was not fully replayed: ` +
      `flows this change breaks may be missing from this review. Fix or replace the snapshot (tierguard.yaml \`flows\`)` +
      (level === "error" ? ", or set `impact.snapshotProblems: warning` in tierguard.yaml to accept a partial replay." : "."),
    file: p.source,
    line: 1,
    revision: "base",
  }));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
