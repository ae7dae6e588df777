import type { SelectorNode } from "./ast.js";
import { SelectorError } from "./errors.js";
import { tokenize, type Token } from "./tokenizer.js";

/**
 * Precedence-ordered recursive descent, as in Calico's parser.go: parseOr → parseAnd → parseOperation.
 * Any number of leading `!` collapse to one or none; parentheses produce no node of their own, so `(a == "b")`
 * is just `a == "b"` and `(all())` is `all()`.
 */

/**
 * Deepest parenthesis nesting accepted. Each `(` costs four stack frames here, and the tree it builds is walked
 * recursively by the printer, the compiler and both evaluators; 5,000 levels overflowed the stack. Real selectors
 * nest two or three deep. (Calico's Go parser has no such limit: Go stacks grow.)
 */
export const MAX_SELECTOR_DEPTH = 128;
export function parseNode(text: string): SelectorNode {
  const tokens = tokenize(text);
  if (tokens[0].kind === "eof") return { op: "all" };
  const p = new Parser(tokens);
  const node = p.parseOr();
  const rest = p.peek();
  if (rest.kind !== "eof") {
    throw new SelectorError(
      "selector/trailing-content",
      rest.offset,
      "unexpected content after the end of the selector; join expressions with && or ||, and balance parentheses",
    );
  }
  return node;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  parseOr(): SelectorNode {
    const operands = [this.parseAnd()];
    while (this.peek().kind === "or") {
      this.next();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? operands[0] : { op: "or", operands };
  }

  private parseAnd(): SelectorNode {
    const operands = [this.parseOperation()];
    while (this.peek().kind === "and") {
      this.next();
      operands.push(this.parseOperation());
    }
    return operands.length === 1 ? operands[0] : { op: "and", operands };
  }

  private parseOperation(): SelectorNode {
    let negated = false;
    while (this.peek().kind === "not") {
      this.next();
      negated = !negated;
    }
    const node = this.parsePrimary();
    return negated ? { op: "not", operand: node } : node;
  }

  private parsePrimary(): SelectorNode {
    const t = this.next();
    switch (t.kind) {
      case "has":
        return { op: "has", label: t.value };
      case "all":
        return { op: "all" };
      case "global":
        return { op: "global" };
      case "label":
        return this.parseComparison(t.value);
      case "lparen": {
        if (++this.depth > MAX_SELECTOR_DEPTH) {
          throw new SelectorError(
            "selector/too-deep",
            t.offset,
            `parentheses nest more than ${MAX_SELECTOR_DEPTH} deep here; remove the redundant ones`,
          );
        }
        const inner = this.parseOr();
        this.depth--;
        const close = this.next();
        if (close.kind !== "rparen") {
          throw new SelectorError("selector/expected-rparen", close.offset, "expected ')' to close the '(' group");
        }
        return inner;
      }
      case "eof":
        throw new SelectorError(
          "selector/unexpected-end",
          t.offset,
          "the selector ends where an expression was expected, such as app == \"web\" or has(app)",
        );
      default:
        throw new SelectorError(
          "selector/unexpected-token",
          t.offset,
          `unexpected ${describe(t)} where an expression was expected, such as app == "web" or has(app)`,
        );
    }
  }

  private parseComparison(label: string): SelectorNode {
    const op = this.next();
    switch (op.kind) {
      case "eq":
      case "ne":
      case "contains":
      case "startswith":
      case "endswith": {
        const value = this.expectString();
        return { op: op.kind, label, value };
      }
      case "in":
      case "notin":
        return { op: op.kind, label, values: this.parseSet() };
      case "eof":
        throw new SelectorError(
          "selector/unexpected-end",
          op.offset,
          `the selector ends after the label '${label}'; add an operator and a value, as in ${label} == "x"`,
        );
      default:
        throw new SelectorError(
          "selector/expected-operator",
          op.offset,
          `expected an operator after the label '${label}': ==, !=, in, not in, contains, starts with or ends with`,
        );
    }
  }

  private expectString(): string {
    const t = this.next();
    if (t.kind !== "string") {
      throw new SelectorError(
        "selector/expected-string",
        t.offset,
        `expected a quoted value, found ${describe(t)}; write values in "double" or 'single' quotes`,
      );
    }
    return t.value;
  }

  private parseSet(): string[] {
    const open = this.next();
    if (open.kind !== "lbrace") {
      throw new SelectorError(
        "selector/expected-set",
        open.offset,
        `expected a set such as {"a", "b"} after in / not in, found ${describe(open)}`,
      );
    }
    const values: string[] = [];
    while (this.peek().kind === "string") {
      values.push(this.next().value);
      if (this.peek().kind !== "comma") break;
      this.next();
    }
    const close = this.next();
    if (close.kind !== "rbrace") {
      throw new SelectorError(
        "selector/expected-rbrace",
        close.offset,
        `expected '}' or a quoted value in the set, found ${describe(close)}; separate values with single commas`,
      );
    }
    return canonicalSet(values);
  }
}

/** Sorted by bytes (UTF-8 order equals code point order) and de-duplicated, like Calico's ConvertToStringSetInPlace. */
function canonicalSet(values: string[]): string[] {
  const unique = [...new Set(values)];
  return unique.sort(compareCodePoints);
}

export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "the end of the selector";
    case "string":
      return `the value "${t.value}"`;
    case "label":
      return `the label '${t.value}'`;
    default:
      return `'${TOKEN_TEXT[t.kind] ?? t.kind}'`;
  }
}

const TOKEN_TEXT: Partial<Record<Token["kind"], string>> = {
  lbrace: "{",
  rbrace: "}",
  comma: ",",
  eq: "==",
  ne: "!=",
  in: "in",
  not: "!",
  notin: "not in",
  contains: "contains",
  startswith: "starts with",
  endswith: "ends with",
  all: "all()",
  global: "global()",
  has: "has(...)",
  lparen: "(",
  rparen: ")",
  and: "&&",
  or: "||",
};
