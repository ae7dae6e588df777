import { CST, Lexer } from "yaml";

/**
 * A bounded look at a YAML (or JSON) stream before anything is parsed: where each document starts and ends, how many
 * nodes the file holds and how deeply they nest. Parsers build a tree whose size is the node count and recurse as
 * deep as the nesting, so a 4 MiB `x: [1,1,...]` (two million nodes) costs gigabytes and 100,000 `[` overflow the
 * stack; this scan streams the `yaml` lexer's tokens (keeping none), so its memory is constant and it stops at the
 * first limit crossed.
 */
export interface ScanLimits {
  maxDocumentBytes: number;
  maxDocuments: number;
  maxNodes: number;
  maxDepth: number;
}

/** One document's text: `text.slice(start, end)` parses as exactly that document. */
export interface Segment {
  start: number;
  end: number;
  /** False for a stretch holding only comments, blank lines or document markers. */
  content: boolean;
}

export interface ScanProblem {
  code: "load/document-too-large" | "load/too-many-documents" | "load/too-many-nodes" | "load/too-deep";
  message: string;
  offset: number;
}

export interface ScanResult {
  segments: Segment[];
  /** Anchors (whose aliases need bounded expansion) or directives (which bind to the document after them). */
  needsCarefulParse: boolean;
  problem?: ScanProblem;
}

/** Tokens the lexer emits that are not source text (they take no room in the file). */
const CONTROL = new Set(["\x02", "\x18", "\x1f"]);
/** Token types that start a node: every scalar, alias and collection is counted once. */
const NODE_START = new Set([
  "scalar", "single-quoted-scalar", "double-quoted-scalar", "alias", "flow-map-start", "flow-seq-start",
  "seq-item-ind", "explicit-key-ind",
]);

export function scanYaml(text: string, limits: ScanLimits): ScanResult {
  const s = new Scanner(text, limits);
  try {
    for (const token of new Lexer().lex(text)) s.token(token);
    s.finish();
  } catch (e) {
    if (e instanceof LimitReached) return { segments: [], needsCarefulParse: true, problem: e.problem };
    throw e;
  }
  return { segments: s.segments, needsCarefulParse: s.careful };
}

class LimitReached extends Error {
  constructor(readonly problem: ScanProblem) {
    super(problem.message);
  }
}

class Scanner {
  readonly segments: Segment[] = [];
  careful = false;
  private offset = 0;
  private lineStart = 0;
  private firstOnLine = true;
  private afterScalarMarker = false;
  private afterCompactIndicator = false;
  private nodes = 0;
  private flowDepth = 0;
  /** Columns of the open block collections: a line indented less than one closes it. */
  private blocks: number[] = [];
  private segment: Segment = { start: 0, end: 0, content: false };

  constructor(
    private readonly text: string,
    private readonly limits: ScanLimits,
  ) {}

  token(token: string): void {
    const at = this.offset;
    if (!CONTROL.has(token)) this.offset += token.length;
    if (this.offset - this.segment.start > this.limits.maxDocumentBytes) this.tooLarge();
    if (this.afterScalarMarker) {
      // The scalar's source, possibly many lines: its type is "scalar" whatever its first character is.
      this.afterScalarMarker = false;
      this.newlines(token, at);
      return;
    }
    const type = CST.tokenType(token);
    switch (type) {
      case "doc-start":
        this.startSegment(at);
        break;
      case "doc-end":
        this.startSegment(this.offset);
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
      case "anchor":
      case "directive-line":
        this.careful = true;
        break;
      default:
        if (type && NODE_START.has(type)) this.node(type, at);
        if (type === "scalar") this.afterScalarMarker = true;
        else if (type !== null) this.newlines(token, at);
    }
    if (type !== "comma" && type !== "doc-mode") this.firstOnLine = false;
  }

  finish(): void {
    this.closeSegment(this.text.length);
    if (this.segments.length > this.limits.maxDocuments) {
      throw new LimitReached({
        code: "load/too-many-documents",
        message: `file holds ${this.segments.length} documents; the limit is ${this.limits.maxDocuments}`,
        offset: 0,
      });
    }
  }

  private node(type: string, at: number): void {
    this.segment.content = true;
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

  private startSegment(at: number): void {
    this.closeSegment(at);
    this.segment = { start: at, end: at, content: false };
    this.blocks = [];
    this.flowDepth = 0;
  }

  /** A stretch of comments before the first `---` is no document; an explicit `---` with nothing after it is one. */
  private closeSegment(end: number): void {
    const seg = this.segment;
    seg.end = end;
    if (seg.content || this.text.startsWith("---", seg.start)) this.segments.push(seg);
  }

  /** Reported as soon as the document passes the limit, without reading on to its end. */
  private tooLarge(): never {
    throw new LimitReached({
      code: "load/document-too-large",
      message: `document ${this.segments.length + 1} is larger than the limit of ${this.limits.maxDocumentBytes} bytes ` +
        "(raise it with --max-document-bytes)",
      offset: this.segment.start,
    });
  }
}
