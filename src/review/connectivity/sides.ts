import { describePolicy, formatHit, type Direction, type DirectionTrace, type PolicyHit, type PolicySet } from "../../engine/index.js";
import { hitTier, type FlowVerdictSide } from "../../impact/index.js";

/**
 * Deciding sides interned to small numbers, so entries are grouped without string keys. A hit is looked up by its
 * policy reference (one object per compiled policy), rule and action first: its words are built once per side.
 */
export class SideTable {
  private readonly ids = new Map<string, number>();
  private readonly byHit = new Map<string, number>();
  readonly sides: FlowVerdictSide[] = [];

  id(t: DirectionTrace, direction: Direction, set: PolicySet): number {
    const hit = t.hits[t.hits.length - 1];
    const cheap = `${direction}|${t.verdict}|${hitKey(hit)}|${set.version.model}`;
    let id = this.byHit.get(cheap);
    if (id === undefined) {
      const s = verdictSide(t.hits, t.verdict, direction, set);
      const key = `${s.direction ?? ""}|${s.verdict}|${s.decidedBy}`;
      id = this.ids.get(key);
      if (id === undefined) {
        this.ids.set(key, (id = this.sides.length));
        this.sides.push(s);
      }
      this.byHit.set(cheap, id);
    }
    return id;
  }
}

function hitKey(hit: PolicyHit | undefined): string {
  if (!hit) return "";
  switch (hit.type) {
    case "rule":
      return `r${objectId(hit.policy)}.${hit.ruleIndex}.${hit.action}`;
    case "end-of-tier":
      return `t${objectId(hit.policy)}.${hit.tier}.${hit.action}`;
    case "profile":
      return `p${hit.namespace}`;
  }
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;
export function objectId(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = nextObjectId++));
  return id;
}

/** The deciding hit as the impact replay names it (`tier|kind:ns/name|action|rule`). */
export function verdictSide(hits: readonly PolicyHit[], verdict: "allow" | "deny", direction: Direction, set: PolicySet): FlowVerdictSide {
  const hit = hits[hits.length - 1];
  if (!hit) return { verdict, decidedBy: "no policy", tier: "" };
  return {
    verdict,
    decidedBy: formatHit(hit, 0, set.version.model).replace(/^0\|/, ""),
    tier: hitTier(hit),
    ...(hit.type === "profile" ? {} : { policy: describePolicy(hit.policy) }),
    ...(hit.type === "rule" ? { rule: hit.ruleIndex } : hit.type === "end-of-tier" ? { rule: -1 } : {}),
    direction,
  };
}
