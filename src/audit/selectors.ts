import { parseSelector, printNode, type SelectorNode } from "../selector/index.js";

/**
 * A selector change in words. Narrowed when the new selector is the old one with more conditions (an `&&` whose
 * other operands keep the old ones, or `all()` given a condition); widened the other way round; an `||` branch
 * added or removed likewise. Anything else is "changed from A to B": deciding inclusion in general is the
 * guard-rail solver's job, not the log's.
 */
export function compareSelectors(before: string | undefined, after: string | undefined): string {
  const b = parse(before ?? "all()");
  const h = parse(after ?? "all()");
  const bt = b ? printNode(b) : before ?? "all()";
  const ht = h ? printNode(h) : after ?? "all()";
  if (b && h) {
    if (implies(h, b)) return `selector narrowed from ${bt} to ${ht}`;
    if (implies(b, h)) return `selector widened from ${bt} to ${ht}`;
  }
  return `selector changed from ${bt} to ${ht}`;
}

function parse(text: string): SelectorNode | undefined {
  try {
    return parseSelector(text).root;
  } catch {
    return undefined;
  }
}

const conjuncts = (n: SelectorNode): string[] => (n.op === "and" ? n.operands.map(printNode) : n.op === "all" ? [] : [printNode(n)]);
const disjuncts = (n: SelectorNode): string[] => (n.op === "or" ? n.operands.map(printNode) : [printNode(n)]);

/** A syntactic sufficient condition for "everything `a` selects, `b` selects too". */
function implies(a: SelectorNode, b: SelectorNode): boolean {
  if (b.op === "all") return true;
  const ca = new Set(conjuncts(a));
  if (conjuncts(b).every((x) => ca.has(x))) return true;
  const db = new Set(disjuncts(b));
  return disjuncts(a).every((x) => db.has(x));
}
