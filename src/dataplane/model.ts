import type { Direction, Mode, PolicyRef } from "../engine/index.js";

/**
 * The ruleset as data, before printing: what `render` prints, what the agent compares between reloads and what
 * the counters are read back against.
 */
export interface NftRule {
  /** The match (empty for a rule that applies to every packet reaching it). */
  match: string;
  /** Statements and verdict after the counter: `accept`, `jump deny`, `meta mark set ... return`. */
  verdict: string;
  /** Named counter; its hits are this rule's. */
  counter?: string;
  comment?: string;
}

export interface NftChain {
  name: string;
  /** Base chains hook into the forward path, or (pods to their own node) the input path. */
  hook?: { priority: number; name?: "forward" | "input" };
  comment?: string;
  rules: NftRule[];
}

export interface NftMap {
  name: string;
  family: 4 | 6;
  /** Address → chain jumped to. */
  elements: Array<[string, string]>;
}

/** What one named counter stands for: the engine's trace vocabulary, per walk and direction. */
export interface CounterInfo {
  name: string;
  /** `enforced` counts verdicts the kernel applies; `pending` counts the walk with staged policies as enforced. */
  mode: Mode;
  direction: Direction;
  kind: "rule" | "end-of-tier" | "profile";
  action: "allow" | "deny" | "pass" | "log";
  tier?: string;
  policy?: PolicyRef;
  ruleIndex?: number;
  /** For a profile: the namespace of `kns.<ns>`. */
  namespace?: string;
  /** The IANA protocol the counter counts, when it is fixed (by the rule, or by a per-protocol copy of the rule). */
  protocol?: number;
}

/** A local endpoint as the ruleset holds it. */
export interface LocalEndpoint {
  namespace: string;
  name: string;
  ips: string[];
  /** The host-side interface it is held to; undefined where none was given. */
  interface?: string;
  /** The endpoint chain per walk and direction. */
  chains: Record<`${Mode}-${Direction}`, string>;
}

/** Packet-mark bits the walk uses between chains (nftables has no return values). */
export interface Marks {
  /** A rule or a tier's default said Pass: skip the rest of the tier. */
  pass: number;
  /** The pending walk reached its verdict: skip the rest of the walk. */
  done: number;
}

export const DEFAULT_MARKS: Marks = { pass: 0x00100000, done: 0x00200000 };

export const hex = (n: number): string => `0x${n.toString(16).padStart(8, "0")}`;
