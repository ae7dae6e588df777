import jsYaml from "js-yaml";
import { joinPath } from "../contracts/index.js";
import type { NodeSpan } from "./source.js";

/**
 * Field spans of one document from js-yaml's node events, for documents the fast path loaded: the `yaml` parser
 * that the careful path uses takes about 10 µs and a kilobyte a node (a 4 MiB document of a million nodes: 10 s,
 * over 1 GB), js-yaml a twentieth of that. js-yaml reports where each node opens and closes; the tree of events is
 * rebuilt here, checked against the values it produced, and turned into the same spans the careful path records.
 * Anything it cannot account for (tags, a single-pair mapping inside a flow sequence) returns undefined, and the
 * caller asks the `yaml` parser instead.
 */
interface Frame {
  start: number;
  end: number;
  kind: string | null;
  result: unknown;
  children: Frame[];
}

export interface DocumentPositions {
  spans: Map<string, NodeSpan>;
  /** Offset where the document's content starts. */
  start: number;
}

/** Spans for `text.slice(from, to)`, one YAML document, with offsets into `text`. */
export function eventSpans(text: string, from: number, to: number): DocumentPositions | undefined {
  const root: Frame = { start: 0, end: 0, kind: null, result: undefined, children: [] };
  const stack: Frame[] = [root];
  const listener = (event: "open" | "close", state: { position: number; kind: string | null; result: unknown }) => {
    if (event === "open") {
      stack.push({ start: state.position + from, end: 0, kind: null, result: undefined, children: [] });
      return;
    }
    const frame = stack.pop()!;
    Object.assign(frame, { end: state.position + from, kind: state.kind, result: state.result });
    stack[stack.length - 1].children.push(frame);
  };
  try {
    jsYaml.load(text.slice(from, to), { schema: jsYaml.CORE_SCHEMA, listener });
  } catch {
    return undefined;
  }
  if (root.children.length !== 1) return undefined;
  const top = unwrap(root.children[0]);
  const spans = new Map<string, NodeSpan>();
  const walker = new Walker(text, spans);
  if (!walker.node(top, "", undefined)) return undefined;
  return { spans, start: skipSpace(text, top.start, top.end) };
}

/** js-yaml opens a node, then the node it turns out to be: a frame whose one child is the same value is that child. */
function unwrap(frame: Frame): Frame {
  let f = frame;
  while (f.children.length === 1 && f.children[0].result === f.result && f.children[0].kind === f.kind) f = f.children[0];
  return f;
}

class Walker {
  constructor(
    private readonly text: string,
    private readonly spans: Map<string, NodeSpan>,
  ) {}

  /** False when the frame does not match its value, so that the spans cannot be trusted. */
  node(frame: Frame, path: string, key: number | undefined): boolean {
    const start = skipSpace(this.text, frame.start, frame.end);
    if (start >= frame.end) {
      // An empty value (`a:` and nothing): the careful path records the key alone.
      if (frame.result !== null || key === undefined) return frame.result === null;
      this.spans.set(path, { key, start: key, end: key });
      return true;
    }
    const first = this.text[start];
    if (first === "!" || first === "&" || first === "*") return false;
    const end = trimEnd(this.text, start, frame.end);
    this.spans.set(path, { key, start, end, style: frame.kind === "scalar" ? STYLE[first] ?? "PLAIN" : undefined });
    if (frame.kind === "mapping") return this.mapping(frame, path);
    if (frame.kind === "sequence") return this.sequence(frame, path);
    return frame.children.length === 0;
  }

  private mapping(frame: Frame, path: string): boolean {
    const children = frame.children.map(unwrap);
    const value = frame.result as Record<string, unknown>;
    if (children.length !== 2 * Object.keys(value).length) return false;
    for (let i = 0; i < children.length; i += 2) {
      const k = children[i];
      if (k.kind !== "scalar" || !Object.prototype.hasOwnProperty.call(value, String(k.result))) return false;
      if (!this.node(children[i + 1], joinPath(path, String(k.result)), skipSpace(this.text, k.start, k.end))) return false;
    }
    return true;
  }

  private sequence(frame: Frame, path: string): boolean {
    const children = frame.children.map(unwrap);
    if (!Array.isArray(frame.result) || children.length !== frame.result.length) return false;
    return children.every((child, i) => this.node(child, joinPath(path, i), undefined));
  }
}

const STYLE: Record<string, string> = { '"': "QUOTE_DOUBLE", "'": "QUOTE_SINGLE", "|": "BLOCK_LITERAL", ">": "BLOCK_FOLDED" };

/** The first offset at or after `from` that is not white space, a line break or a comment. */
function skipSpace(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\uFEFF") i++;
    else if (c === "#") while (i < to && text[i] !== "\n") i++;
    else if (c === "-" && text.startsWith("---", i) && (i === 0 || text[i - 1] === "\n")) i += 3;
    else break;
  }
  return i;
}

/** `to` moved back over trailing white space and line breaks. */
function trimEnd(text: string, from: number, to: number): number {
  let i = to;
  while (i > from && /[ \t\r\n]/.test(text[i - 1])) i--;
  return i;
}
