import type { Labels, SelectorNode } from "./ast.js";

/**
 * Selectors compiled once into closures. The engine calls these millions of times, so the tree walk and the `op`
 * switch happen at compile time, sets become `Set`s, and two-operand groups get their own closure.
 */
export type Matcher = (labels: Labels) => boolean;

export function compileNode(node: SelectorNode): Matcher {
  switch (node.op) {
    case "all":
    case "global":
      return () => true;
    case "has": {
      const k = node.label;
      return (l) => l.get(k) !== undefined;
    }
    case "eq": {
      const { label: k, value: v } = node;
      return (l) => l.get(k) === v;
    }
    case "ne": {
      const { label: k, value: v } = node;
      return (l) => l.get(k) !== v;
    }
    case "contains": {
      const { label: k, value: v } = node;
      return (l) => {
        const x = l.get(k);
        return x !== undefined && x.includes(v);
      };
    }
    case "startswith": {
      const { label: k, value: v } = node;
      return (l) => {
        const x = l.get(k);
        return x !== undefined && x.startsWith(v);
      };
    }
    case "endswith": {
      const { label: k, value: v } = node;
      return (l) => {
        const x = l.get(k);
        return x !== undefined && x.endsWith(v);
      };
    }
    case "in": {
      const k = node.label;
      const set = new Set(node.values);
      return (l) => {
        const x = l.get(k);
        return x !== undefined && set.has(x);
      };
    }
    case "notin": {
      const k = node.label;
      const set = new Set(node.values);
      return (l) => {
        const x = l.get(k);
        return x === undefined || !set.has(x);
      };
    }
    case "not": {
      const inner = compileNode(node.operand);
      return (l) => !inner(l);
    }
    case "and": {
      const parts = node.operands.map(compileNode);
      if (parts.length === 2) {
        const [a, b] = parts;
        return (l) => a(l) && b(l);
      }
      return (l) => {
        for (const p of parts) if (!p(l)) return false;
        return true;
      };
    }
    case "or": {
      const parts = node.operands.map(compileNode);
      if (parts.length === 2) {
        const [a, b] = parts;
        return (l) => a(l) || b(l);
      }
      return (l) => {
        for (const p of parts) if (p(l)) return true;
        return false;
      };
    }
  }
}

/** Kleene truth values: the answer when some labels are not known (aggregated flow records, missing inventory). */
export type Truth = "true" | "false" | "unknown";

/**
 * Three-valued evaluation. A label that is absent from `labels` and for which `isUnknown(key)` holds might have any
 * value or none, so a comparison on it is "unknown"; `&&`, `||` and `!` follow Kleene logic.
 */
export function evaluate3(node: SelectorNode, labels: Labels, isUnknown: (key: string) => boolean): Truth {
  switch (node.op) {
    case "all":
    case "global":
      return "true";
    case "not": {
      const t = evaluate3(node.operand, labels, isUnknown);
      return t === "unknown" ? t : t === "true" ? "false" : "true";
    }
    case "and": {
      let unknown = false;
      for (const o of node.operands) {
        const t = evaluate3(o, labels, isUnknown);
        if (t === "false") return "false";
        if (t === "unknown") unknown = true;
      }
      return unknown ? "unknown" : "true";
    }
    case "or": {
      let unknown = false;
      for (const o of node.operands) {
        const t = evaluate3(o, labels, isUnknown);
        if (t === "true") return "true";
        if (t === "unknown") unknown = true;
      }
      return unknown ? "unknown" : "false";
    }
    default: {
      if (labels.get(node.label) === undefined && isUnknown(node.label)) return "unknown";
      return compileNode(node)(labels) ? "true" : "false";
    }
  }
}
