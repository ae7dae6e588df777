import type { OffsetProblem } from "../contracts/index.js";
import { CST, Lexer } from "yaml";

/**
 * Bounded looks at a YAML (or JSON) stream before anything is parsed. Parsers build a tree whose size is the node
 * count and recurse as deep as the nesting, so a 4 MiB `x: [1,1,...]` (two million nodes) cost gigabytes and
 * 100,000 `[` overflowed the stack.
 *
 * - `splitDocuments`: where each document starts and ends, from the `---` and `...` lines (a document marker at the
 *   start of a line ends any scalar, so no tokenizing is needed): document sizes and counts are checked on it.
 * - `scanYaml`: node count and nesting depth, from one streaming pass over the `yaml` lexer's tokens (none kept, so
 *   its memory is constant), stopping at the first limit crossed. It costs about as much as js-yaml's parse, so the
 *   fast path relies on js-yaml's own node events instead and calls this only to report a limit it ran into.
 */
export interface ScanLimits {
  maxNodes: number;
  maxDepth: number;
}

/** One document's text: `text.slice(start, end)` parses as exactly that document. */
export interface Segment {
  start: number;
  end: number;
  /** False for a bare `---`: a document, but an empty one. */
  content: boolean;
}

export type ScanProblem = OffsetProblem<"load/document-too-large" | "load/too-many-documents" | "load/too-many-nodes" | "load/too-deep">;

/** Tokens the lexer emits that are not source text (they take no room in the file). */
const CONTROL = new Set(["\x02", "\x18", "\x1f"]);
/** Token types that start a node: every scalar, alias and collection is counted once. */
const NODE_START = new Set([
  "scalar", "single-quoted-scalar", "double-quoted-scalar", "alias", "flow-map-start", "flow-seq-start",
  "seq-item-ind", "explicit-key-ind",
]);

/** The first node or depth limit the file crosses, if any. */
export function scanYaml(text: string, limits: ScanLimits): ScanProblem | undefined {
  const s = new Scanner(limits);
  try {
    for (const token of new Lexer().lex(text)) s.token(token);
  } catch (e) {
    if (e instanceof LimitReached) return e.problem;
    throw e;
  }
  return undefined;
}

class LimitReached extends Error {
  constructor(readonly problem: ScanProblem) {
    super(problem.message);
  }
}

class Scanner {
  private offset = 0;
  private lineStart = 0;
  private firstOnLine = true;
  private afterScalarMarker = false;
  private afterCompactIndicator = false;
  private nodes = 0;
  private flowDepth = 0;
  /** Columns of the open block collections: a line indented less than one closes it. */
  private blocks: number[] = [];

  constructor(private readonly limits: ScanLimits) {}

  token(token: string): void {
    const at = this.offset;
    if (!CONTROL.has(token)) this.offset += token.length;
    if (this.afterScalarMarker) {
      // The scalar's source, possibly many lines: its type is "scalar" whatever its first character is.
      this.afterScalarMarker = false;
      this.newlines(token, at);
      return;
    }
    const type = CST.tokenType(token);
    switch (type) {
      case "doc-start":
      case "doc-end":
        this.blocks = [];
        this.flowDepth = 0;
        break;
      case "newline":
        this.lineStart = this.offset;
        this.firstOnLine = true;
        this.afterCompactIndicator = false;
        return;
      case "space":
      case "comment":
        this.newlines(token, at);
        return;
      case "flow-map-end":
      case "flow-seq-end":
        this.flowDepth = Math.max(0, this.flowDepth - 1);
        break;
      case "flow-error-end":
        this.flowDepth = 0;
        return;
      default:
        if (type && NODE_START.has(type)) this.node(type, at);
        if (type === "scalar") this.afterScalarMarker = true;
        else if (type !== null) this.newlines(token, at);
    }
    if (type !== "comma" && type !== "doc-mode") this.firstOnLine = false;
  }

  private node(type: string, at: number): void {
    if (++this.nodes > this.limits.maxNodes) {
      throw new LimitReached({
        code: "load/too-many-nodes",
        message: `file holds more than ${this.limits.maxNodes} YAML nodes (keys, values and collections), the limit; ` +
          "split it into smaller files or raise it with --max-nodes",
        offset: at,
      });
    }
    if (type === "flow-map-start" || type === "flow-seq-start") this.flowDepth++;
    else if (this.flowDepth === 0) this.blockNode(at, type === "seq-item-ind" || type === "explicit-key-ind");
    if (this.blocks.length + this.flowDepth > this.limits.maxDepth) {
      throw new LimitReached({
        code: "load/too-deep",
        message: `YAML nesting is deeper than ${this.limits.maxDepth} levels here; a policy nests about 10: ` +
          "check for unbalanced brackets or flatten the document",
        offset: at,
      });
    }
  }

  /**
   * Block nesting from indentation: the first node on a line closes the collections indented at or beyond it and
   * opens one at its column; after `- ` or `? ` on the same line (`- - x`), a node opens one more.
   */
  private blockNode(at: number, indicator: boolean): void {
    const col = at - this.lineStart;
    if (this.firstOnLine) {
      while (this.blocks.length > 0 && this.blocks[this.blocks.length - 1] >= col) this.blocks.pop();
      this.blocks.push(col);
    } else if (this.afterCompactIndicator) {
      this.blocks.push(col);
    }
    this.afterCompactIndicator = indicator;
  }

  /** Tokens that span lines (multi-line scalars, block scalar bodies) move the line start. */
  private newlines(token: string, at: number): void {
    const nl = token.lastIndexOf("\n");
    if (nl !== -1) {
      this.lineStart = at + nl + 1;
      this.firstOnLine = false;
    }
  }
}

/**
 * Documents from their marker lines: `---` starts one, `...` ends one. Text before the first `---` is a document
 * only if it holds something other than comments and directives. Linear: one indexOf per line.
 */
export function splitDocuments(text: string): Segment[] {
  const segments: Segment[] = [];
  let current: Segment = { start: 0, end: 0, content: false };
  let explicit = false;
  const close = (end: number) => {
    current.end = end;
    if (current.content || explicit) segments.push(current);
  };
  for (let line = 0; line < text.length; ) {
    const nl = text.indexOf("\n", line);
    const next = nl === -1 ? text.length : nl + 1;
    const at = line === 0 && text.startsWith("\uFEFF") ? 1 : line;
    if (isMarker(text, at, "---")) {
      close(line);
      current = { start: line, end: 0, content: hasContent(text, at + 3, next) };
      explicit = true;
    } else if (isMarker(text, at, "...")) {
      close(next);
      current = { start: next, end: 0, content: false };
      explicit = false;
    } else if (!current.content && text[at] !== "%" && hasContent(text, at, next)) {
      current.content = true;
    }
    line = next;
  }
  close(text.length);
  return segments;
}

function isMarker(text: string, at: number, marker: string): boolean {
  if (!text.startsWith(marker, at)) return false;
  const c = text[at + marker.length];
  return c === undefined || c === " " || c === "\t" || c === "\r" || c === "\n";
}

/** Something other than white space and a comment between `from` and `to`. */
function hasContent(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === "#") return false;
    if (c !== " " && c !== "\t" && c !== "\r" && c !== "\n") return true;
  }
  return false;
}
