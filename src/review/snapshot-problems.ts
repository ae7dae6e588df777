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
