/**
 * Calico's selector language: tokenize (with offsets), parse, print canonically, evaluate.
 * This folder imports nothing else from tierguard and does no I/O.
 * Reference: calico-semantics §1; libcalico-go/lib/selector/{tokenizer,parser}.
 */
import { createHash } from "node:crypto";
import { evaluateNode, labelKeys, mapNode, printNode, type Labels, type SelectorNode } from "./ast.js";
import { compileNode, evaluate3, type Matcher, type Truth } from "./compile.js";
import { SelectorError } from "./errors.js";
import { parseNode } from "./parser.js";

export { SelectorError, type SelectorErrorCode } from "./errors.js";
export { MAX_LABEL_LENGTH } from "./tokenizer.js";
export { compareCodePoints, MAX_SELECTOR_DEPTH } from "./parser.js";
export type { Labels, SelectorNode, Truth, Matcher };
export { printNode, evaluateNode, labelKeys, mapNode };

/** Adapts a plain label object to the `Labels` lookup without copying it. */
export function labelsOf(record: Readonly<Record<string, string>>): Labels {
  return { get: (k) => (Object.prototype.hasOwnProperty.call(record, k) ? record[k] : undefined) };
}

/** A parsed, compiled selector. Immutable; safe to share between policy sets. */
export class Selector {
  readonly root: SelectorNode;
  private readonly matcher: Matcher;
  private canonical: string | undefined;
  private keys: ReadonlySet<string> | undefined;

  constructor(root: SelectorNode) {
    this.root = root;
    this.matcher = compileNode(root);
  }

  /** True when the labels satisfy the selector (labels absent from the object are absent). */
  matches(labels: Readonly<Record<string, string>> | Labels): boolean {
    return this.matcher(isLookup(labels) ? labels : labelsOf(labels));
  }

  /** The fast path for the engine: labels already in a Map-like lookup. */
  test(labels: Labels): boolean {
    return this.matcher(labels);
  }

  /** Kleene evaluation where `isUnknown(key)` says which absent labels might in fact be present. */
  evaluate3(labels: Labels, isUnknown: (key: string) => boolean): Truth {
    return evaluate3(this.root, labels, isUnknown);
  }

  /** Calico's canonical form (calico-semantics §1.4). */
  toString(): string {
    return (this.canonical ??= printNode(this.root));
  }

  /** Calico's selector UID: "s:" + base64url(SHA-224("s:" + canonical)), unpadded. Equal selectors share it. */
  uid(): string {
    const digest = createHash("sha224").update("s:" + this.toString()).digest("base64url");
    return "s:" + digest;
  }

  /** The label keys the selector reads. */
  labelKeys(): ReadonlySet<string> {
    return (this.keys ??= labelKeys(this.root));
  }

  /** True for `all()` and the empty selector. */
  isAll(): boolean {
    return this.root.op === "all";
  }
}

function isLookup(x: unknown): x is Labels {
  return typeof (x as Labels).get === "function";
}

/** Parses Calico selector text. Throws `SelectorError` (with `code` and `offset`) and nothing else. */
export function parseSelector(text: string): Selector {
  return new Selector(parseNode(text));
}

/**
 * Each distinct selector text parsed once per run: validation and the engine's compile read the same texts (and a
 * generated repository repeats `app == 'x'` thousands of times), so they share one memo. A text that does not parse
 * keeps its `SelectorError`, rethrown to every caller. Selectors are immutable, so sharing them is safe. Scoped to
 * whoever creates it (a bundle, a policy set), never process-wide.
 */
export class SelectorParses {
  private readonly byText = new Map<string, Selector | SelectorError>();
  /** Distinct texts actually parsed; every other call was answered from the memo. */
  parsed = 0;

  /** As `parseSelector`: throws the text's `SelectorError` when it does not parse. */
  parse(text: string): Selector {
    let found = this.byText.get(text);
    if (found === undefined) {
      this.parsed++;
      try {
        found = parseSelector(text);
      } catch (e) {
        if (!(e instanceof SelectorError)) throw e;
        found = e;
      }
      this.byText.set(text, found);
    }
    if (found instanceof SelectorError) throw found;
    return found;
  }
}

/** Calico's `prefixLabels`: every label the selector reads gets `prefix` (used for pcns./pcsa. scoping). */
export function prefixLabels(node: SelectorNode, prefix: string): SelectorNode {
  return mapNode(node, (n) => ("label" in n ? { ...n, label: prefix + n.label } : n));
}

/** Replaces every `all()` (and optionally `global()`) node, as Calico's string replacement does after conversion. */
export function replaceCalls(
  node: SelectorNode,
  replacements: { all?: SelectorNode; global?: SelectorNode },
): SelectorNode {
  return mapNode(node, (n) => {
    if (n.op === "all" && replacements.all) return replacements.all;
    if (n.op === "global" && replacements.global) return replacements.global;
    return n;
  });
}

/** `a && b`, dropping `all()` operands that cannot change the result. */
export function andNodes(...nodes: SelectorNode[]): SelectorNode {
  const parts = nodes.filter((n) => n.op !== "all");
  if (parts.length === 0) return { op: "all" };
  return parts.length === 1 ? parts[0] : { op: "and", operands: parts };
}
