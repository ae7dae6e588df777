import { SelectorError } from "./errors.js";

/**
 * Calico's selector tokenizer, reproduced from the behaviour of libcalico-go/lib/selector/tokenizer (v3.30+):
 * whitespace is only space and tab, strings have no escapes, keyword operators are recognised only right after a
 * label and must end at a word boundary, and `has(`, `all(`, `global(` take no space before the parenthesis.
 * Every token keeps the offset where it starts so that errors can point into the text (and from there into YAML).
 */
export type TokenKind =
  | "label"
  | "string"
  | "lbrace"
  | "rbrace"
  | "comma"
  | "eq"
  | "ne"
  | "in"
  | "not"
  | "notin"
  | "contains"
  | "startswith"
  | "endswith"
  | "all"
  | "has"
  | "global"
  | "lparen"
  | "rparen"
  | "and"
  | "or"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** Label name for `label` and `has`, the unquoted text for `string`; empty otherwise. */
  value: string;
  offset: number;
}

/** Calico's MaxLabelLength: a label of 513 characters is rejected. */
export const MAX_LABEL_LENGTH = 512;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isLabelChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || // _
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x2d // -
  );
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
  }

  startsWith(word: string): boolean {
    return this.text.startsWith(word, this.pos);
  }

  /** True when `word` is next and is not directly followed by a label character. */
  startsWithWord(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    const next = this.pos + word.length;
    return next >= this.text.length || !isLabelChar(this.text.charCodeAt(next));
  }

  readLabel(): string {
    const start = this.pos;
    while (this.pos < this.text.length && isLabelChar(this.text.charCodeAt(this.pos))) this.pos++;
    const label = this.text.slice(start, this.pos);
    if (label.length > MAX_LABEL_LENGTH) {
      throw new SelectorError(
        "selector/label-too-long",
        start,
        `label is ${label.length} characters long; Calico allows at most ${MAX_LABEL_LENGTH}`,
      );
    }
    return label;
  }
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const cur = new Cursor(text);
  for (;;) {
    cur.skipSpace();
    const offset = cur.pos;
    if (offset >= text.length) {
      tokens.push({ kind: "eof", value: "", offset });
      return tokens;
    }
    const last = tokens.length > 0 ? tokens[tokens.length - 1].kind : undefined;
    tokens.push(nextToken(cur, last));
  }
}

function simple(kind: TokenKind, cur: Cursor, width: number): Token {
  const offset = cur.pos;
  cur.pos += width;
  return { kind, value: "", offset };
}

function nextToken(cur: Cursor, last: TokenKind | undefined): Token {
  const text = cur.text;
  const offset = cur.pos;
  const c = text[offset];
  switch (c) {
    case "(":
      return simple("lparen", cur, 1);
    case ")":
      return simple("rparen", cur, 1);
    case "{":
      return simple("lbrace", cur, 1);
    case "}":
      return simple("rbrace", cur, 1);
    case ",":
      return simple("comma", cur, 1);
    case '"':
    case "'": {
      const end = text.indexOf(c, offset + 1);
      if (end === -1) {
        throw new SelectorError(
          "selector/unterminated-string",
          offset,
          `string starting with ${c} is never closed; add the closing ${c} (selectors have no escape sequences)`,
        );
      }
      cur.pos = end + 1;
      return { kind: "string", value: text.slice(offset + 1, end), offset };
    }
    case "=":
      if (text[offset + 1] === "=") return simple("eq", cur, 2);
      throw new SelectorError("selector/invalid-operator", offset, "'=' is not an operator; use '==' to compare");
    case "!":
      if (text[offset + 1] === "=") return simple("ne", cur, 2);
      return simple("not", cur, 1);
    case "&":
      if (text[offset + 1] === "&") return simple("and", cur, 2);
      throw new SelectorError("selector/invalid-operator", offset, "'&' is not an operator; use '&&'");
    case "|":
      if (text[offset + 1] === "|") return simple("or", cur, 2);
      throw new SelectorError("selector/invalid-operator", offset, "'|' is not an operator; use '||'");
    default:
      return last === "label" ? operatorToken(cur) : wordToken(cur);
  }
}

/** After a label only a keyword operator may follow (the symbolic ones are handled above). */
function operatorToken(cur: Cursor): Token {
  const offset = cur.pos;
  const fail = (): never => {
    throw new SelectorError(
      "selector/expected-operator",
      offset,
      "expected an operator after the label: ==, !=, in, not in, contains, starts with or ends with",
    );
  };
  if (cur.startsWithWord("contains")) return simple("contains", cur, "contains".length);
  for (const [first, kind] of [
    ["starts", "startswith"],
    ["ends", "endswith"],
  ] as const) {
    if (cur.startsWith(first)) {
      cur.pos += first.length;
      cur.skipSpace();
      if (!cur.startsWithWord("with")) fail();
      cur.pos += "with".length;
      return { kind, value: "", offset };
    }
  }
  if (cur.startsWith("not")) {
    cur.pos += "not".length;
    cur.skipSpace();
    if (!cur.startsWithWord("in")) fail();
    cur.pos += "in".length;
    return { kind: "notin", value: "", offset };
  }
  if (cur.startsWithWord("in")) return simple("in", cur, "in".length);
  return fail();
}

function wordToken(cur: Cursor): Token {
  const offset = cur.pos;
  if (cur.startsWith("has(")) {
    cur.pos += "has(".length;
    cur.skipSpace();
    const labelAt = cur.pos;
    const label = cur.readLabel();
    if (label === "") {
      throw new SelectorError("selector/has-missing-label", labelAt, "has( needs a label name, as in has(app)");
    }
    cur.skipSpace();
    if (!cur.startsWith(")")) {
      throw new SelectorError("selector/unclosed-call", cur.pos, "expected ')' to close has(");
    }
    cur.pos += 1;
    return { kind: "has", value: label, offset };
  }
  for (const [word, kind] of [
    ["all(", "all"],
    ["global(", "global"],
  ] as const) {
    if (cur.startsWith(word)) {
      cur.pos += word.length;
      cur.skipSpace();
      if (!cur.startsWith(")")) {
        throw new SelectorError("selector/unclosed-call", cur.pos, `expected ')' to close ${word} (it takes no arguments)`);
      }
      cur.pos += 1;
      return { kind, value: "", offset };
    }
  }
  const label = cur.readLabel();
  if (label === "") {
    const c = cur.text.charCodeAt(offset);
    const shown = c < 0x20 || c === 0x7f ? `\\u${c.toString(16).padStart(4, "0")}` : cur.text[offset];
    throw new SelectorError(
      "selector/unexpected-character",
      offset,
      `unexpected character '${shown}'; labels use letters, digits, '_', '.', '/' and '-', and only spaces or tabs separate tokens`,
    );
  }
  return { kind: "label", value: label, offset };
}
