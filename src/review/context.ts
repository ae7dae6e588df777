import type { Endpoint, EngineUniverse, PolicySet } from "../engine/index.js";
import type { Inventory } from "../flows/index.js";
import type { Resource } from "../policy/index.js";
import type { TierguardConfig } from "./config.js";
import type { Finding, ResourceChange } from "./types.js";

/**
 * What every review check receives. Each check is `(ctx: ReviewContext) => Finding[]`: pure, no I/O, reporting
 * every problem it finds (not just the first). Policy sets of both revisions share one EngineUniverse, so label
 * sets and selectors are interned once.
 */
export interface TextFile {
  /** Repository-relative path. */
  file: string;
  text: string;
}

export interface RevisionState {
  /** Commit id. */
  commit: string;
  /** All policy resources of the revision (files selected by the configuration's `policies`). */
  resources: Resource[];
  /** Compiled with the configuration's Calico version. */
  set: PolicySet;
  /** Policy test files (`tests` in the configuration) of the revision. */
  testFiles: TextFile[];
}

export interface KnownWorkload {
  /** One representative endpoint (labels, namespace, named ports) of a group of pods or flow-log aggregates. */
  endpoint: Endpoint;
  /** `ns/name` or `ns/aggregate-*`. */
  name: string;
  /** Where it is known from. */
  source: "inventory" | "flows";
}

export interface ReviewContext {
  /** Always the base revision's configuration (or the defaults when the base has none). */
  config: TierguardConfig;
  base: RevisionState;
  head: RevisionState;
  /** Resources that differ between the revisions, by identity (kind, namespace, name). */
  changes: ResourceChange[];
  universe: EngineUniverse;
  inventory?: Inventory;
  /**
   * Workloads known from the inventory and the flow snapshot: the fallback where a question cannot be decided from
   * the policies alone (which endpoints a selector matches, whether two selectors overlap in practice).
   */
  workloads: KnownWorkload[];
}

export type Check = (ctx: ReviewContext) => Finding[];
