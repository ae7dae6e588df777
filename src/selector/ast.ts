/**
 * The selector syntax tree, its canonical printing and its reference evaluation.
 *
 * Canonical form follows Calico's ast.go (`collectFragments`): `&&`/`||` groups are always parenthesised, even at
 * the top level; `!` prints directly before its operand; values use double quotes unless they contain one; set
 * members are sorted by bytes and de-duplicated (the parser does that).
 */
export type SelectorNode =
  | { op: "all" }
  | { op: "global" }
  | { op: "has"; label: string }
  | { op: "eq" | "ne" | "contains" | "startswith" | "endswith"; label: string; value: string }
  | { op: "in" | "notin"; label: string; values: readonly string[] }
  | { op: "not"; operand: SelectorNode }
  | { op: "and" | "or"; operands: readonly SelectorNode[] };

/** Label lookup: a Map works, and so does anything with the same `get`. Undefined means the label is absent. */
export interface Labels {
  get(key: string): string | undefined;
}

const OPERATOR_TEXT = {
  eq: " == ",
  ne: " != ",
  contains: " contains ",
  startswith: " starts with ",
  endswith: " ends with ",
} as const;

function quote(value: string): string {
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

export function printNode(node: SelectorNode): string {
  switch (node.op) {
    case "all":
      return "all()";
    case "global":
      return "global()";
    case "has":
      return `has(${node.label})`;
    case "eq":
    case "ne":
    case "contains":
    case "startswith":
    case "endswith":
      return node.label + OPERATOR_TEXT[node.op] + quote(node.value);
    case "in":
    case "notin":
      return `${node.label}${node.op === "in" ? " in " : " not in "}{${node.values.map(quote).join(", ")}}`;
    case "not":
      return "!" + printNode(node.operand);
    case "and":
    case "or":
      return "(" + node.operands.map(printNode).join(node.op === "and" ? " && " : " || ") + ")";
  }
}

/** Reference evaluation, straight from the table in calico-semantics §1.3. The engine uses compiled matchers. */
export function evaluateNode(node: SelectorNode, labels: Labels): boolean {
  switch (node.op) {
    case "all":
    case "global":
      return true;
    case "has":
      return labels.get(node.label) !== undefined;
    case "eq":
      return labels.get(node.label) === node.value;
    case "ne":
      return labels.get(node.label) !== node.value;
    case "contains": {
      const v = labels.get(node.label);
      return v !== undefined && v.includes(node.value);
    }
    case "startswith": {
      const v = labels.get(node.label);
      return v !== undefined && v.startsWith(node.value);
    }
    case "endswith": {
      const v = labels.get(node.label);
      return v !== undefined && v.endsWith(node.value);
    }
    case "in": {
      const v = labels.get(node.label);
      return v !== undefined && node.values.includes(v);
    }
    case "notin": {
      const v = labels.get(node.label);
      return v === undefined || !node.values.includes(v);
    }
    case "not":
      return !evaluateNode(node.operand, labels);
    case "and":
      return node.operands.every((o) => evaluateNode(o, labels));
    case "or":
      return node.operands.some((o) => evaluateNode(o, labels));
  }
}

/** Every label key the selector reads. */
export function labelKeys(node: SelectorNode, into: Set<string> = new Set()): Set<string> {
  switch (node.op) {
    case "all":
    case "global":
      break;
    case "not":
      labelKeys(node.operand, into);
      break;
    case "and":
    case "or":
      for (const o of node.operands) labelKeys(o, into);
      break;
    default:
      into.add(node.label);
  }
  return into;
}

/** Rebuilds the tree bottom-up, letting `fn` replace any node after its children were mapped. */
export function mapNode(node: SelectorNode, fn: (n: SelectorNode) => SelectorNode): SelectorNode {
  switch (node.op) {
    case "not":
      return fn({ op: "not", operand: mapNode(node.operand, fn) });
    case "and":
    case "or":
      return fn({ op: node.op, operands: node.operands.map((o) => mapNode(o, fn)) });
    default:
      return fn(node);
  }
}
