import type { Location } from "../contracts/index.js";

/**
 * Where each field of a resource came from. The loader records, for every node it walks, the offsets of its key
 * and value in the file; this class turns field paths (and offsets inside a scalar, for selector errors) into
 * file:line:col.
 */
export interface NodeSpan {
  /** Offset of the map key, when the node is a map value. */
  key?: number;
  start: number;
  end: number;
  /** The YAML scalar style, for mapping offsets inside the value: PLAIN, QUOTE_DOUBLE, BLOCK_LITERAL, ... */
  style?: string;
}

export class SourceText {
  private lineStarts: number[] | undefined;
  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; col: number } {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo] + 1 };
  }

  location(offset: number): Location {
    return { file: this.file, ...this.position(offset) };
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/**
 * The spans of one document, possibly computed on first use: the fast loader parses values without positions and
 * only builds spans (with the position-keeping parser) when a diagnostic needs one.
 */
export interface DocumentSpans {
  spans(): ReadonlyMap<string, NodeSpan>;
  /** Offset where the document's content starts. */
  start(): number;
}

export function eagerSpans(spans: ReadonlyMap<string, NodeSpan>, start: number): DocumentSpans {
  return { spans: () => spans, start: () => start };
}

export class SourceMap {
  constructor(
    readonly source: SourceText,
    private readonly doc: DocumentSpans,
    /** Where the resource sits in its document: "" or `items[3]` inside a List. */
    readonly prefix = "",
    /**
     * Indices of the items the schema dropped from lists of scalars (`ports: [1.5, 80]` keeps `[80]`), by the list's
     * full path; shared by every view of the document.
     */
    private readonly dropped = new Map<string, Set<number>>(),
  ) {}

  private get spans(): ReadonlyMap<string, NodeSpan> {
    return this.doc.spans();
  }

  private get fallback(): number {
    const own = this.prefix === "" ? undefined : this.spans.get(this.prefix);
    return own ? own.start : this.doc.start();
  }

  get file(): string {
    return this.source.file;
  }

  /** The same map re-rooted at a sub-path, for the objects inside a `kind: List`. */
  child(prefix: string): SourceMap {
    return new SourceMap(this.source, this.doc, this.full(prefix), this.dropped);
  }

  /** Records that the schema dropped item `index` (as written in the file) of the list at `listPath`. */
  noteDropped(listPath: string, index: number): void {
    const key = this.full(listPath);
    const set = this.dropped.get(key) ?? new Set<number>();
    set.add(index); // a set: building resources twice from one document must not shift twice
    this.dropped.set(key, set);
  }

  /**
   * The file's path for a path into the schema-cleaned resource. Only lists of scalars lose items (a bad object
   * item becomes {}), and a scalar is a leaf, so only a path's last index can have shifted.
   */
  filePath(path: string): string {
    if (this.dropped.size === 0 || !path.endsWith("]")) return path;
    const open = path.lastIndexOf("[");
    const index = Number(path.slice(open + 1, -1));
    const gone = Number.isInteger(index) ? this.dropped.get(this.full(path.slice(0, open))) : undefined;
    if (!gone) return path;
    let original = index;
    for (const d of [...gone].sort((a, b) => a - b)) if (d <= original) original++;
    return `${path.slice(0, open)}[${original}]`;
  }

  private full(path: string): string {
    if (this.prefix === "") return path;
    if (path === "") return this.prefix;
    return path.startsWith("[") ? this.prefix + path : `${this.prefix}.${path}`;
  }

  /** The span of `path` or of its nearest recorded ancestor. */
  span(path: string): NodeSpan | undefined {
    for (let p = this.full(path); ; p = parentPath(p)) {
      const s = this.spans.get(p);
      if (s) return s;
      if (p === "") return undefined;
    }
  }

  /** True when the field itself (not an ancestor) was present in the file. */
  has(path: string): boolean {
    return this.spans.has(this.full(path));
  }

  /** Location of a field's value; for a missing field, its nearest present ancestor. */
  at(path: string): Location {
    const s = this.span(path);
    return this.source.location(s ? s.start : this.fallback);
  }

  /** Location of a field's key (for unknown or misplaced fields), else of its value. */
  keyAt(path: string): Location {
    const s = this.spans.get(this.full(path));
    if (s && s.key !== undefined) return this.source.location(s.key);
    return this.at(path);
  }

  /** Location of character `offset` inside a string value, e.g. a selector error's offset. */
  inside(path: string, offset: number): Location {
    const s = this.spans.get(this.full(path));
    if (!s) return this.at(path);
    return this.source.location(offsetInScalar(this.source.text, s, offset));
  }
}

function offsetInScalar(text: string, span: NodeSpan, offset: number): number {
  const raw = text.slice(span.start, span.end);
  switch (span.style) {
    case "PLAIN":
      return raw.includes("\n") ? span.start : span.start + offset;
    case "QUOTE_DOUBLE":
      return raw.includes("\\") || raw.includes("\n") ? span.start : span.start + 1 + offset;
    case "QUOTE_SINGLE":
      return raw.slice(1, -1).includes("''") || raw.includes("\n") ? span.start : span.start + 1 + offset;
    case "BLOCK_LITERAL":
      return offsetInLiteralBlock(raw, offset, span.start);
    default:
      return span.start;
  }
}

/** A `|` block keeps lines as written, minus the indentation of its first content line. */
function offsetInLiteralBlock(raw: string, offset: number, start: number): number {
  const header = raw.indexOf("\n");
  if (header === -1) return start;
  const body = raw.slice(header + 1);
  const indent = /^[ ]*/.exec(body)![0].length;
  const lines = body.split("\n");
  let remaining = offset;
  let at = start + header + 1;
  for (const line of lines) {
    const content = line.length - indent;
    if (remaining <= content) return at + indent + remaining;
    remaining -= content + 1;
    at += line.length + 1;
  }
  return start;
}

/** `spec.ingress[0].source` → `spec.ingress[0]` → `spec.ingress` → `spec` → "". */
export function parentPath(path: string): string {
  if (path.endsWith('"]')) return path.slice(0, path.lastIndexOf('["'));
  if (path.endsWith("]")) return path.slice(0, path.lastIndexOf("["));
  const dot = path.lastIndexOf(".");
  return dot === -1 ? "" : path.slice(0, dot);
}
