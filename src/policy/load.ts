import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, Parser, type Node } from "yaml";
import jsYaml from "js-yaml";
import { binaryProblem } from "./encoding.js";
import { joinPath, type Diagnostic } from "../contracts/index.js";
import { eventSpans, type DocumentPositions } from "./positions.js";
import { scanYaml, splitDocuments, type ScanProblem, type Segment } from "./scan.js";
import { eagerSpans, SourceMap, SourceText, type DocumentSpans, type NodeSpan } from "./source.js";

/**
 * Text in, raw documents out: YAML or JSON (JSON is parsed as YAML 1.2), many documents per file, with the span of
 * every field kept so that later checks can report file:line:col. Input limits are enforced here so that a hostile
 * file cannot exhaust memory: file size, document size, and YAML alias expansion.
 */
export interface LoadLimits {
  /** Largest file accepted, in bytes (UTF-16 code units of the decoded text). */
  maxFileBytes: number;
  /** Largest single YAML document, in bytes. */
  maxDocumentBytes: number;
  /** Largest number of alias dereferences in one document (billion-laughs guard). */
  maxAliasCount: number;
  /** Largest number of documents in one file. */
  maxDocuments: number;
  /** Largest number of YAML nodes (keys, values, collections) in one file: parse time and memory follow it. */
  maxNodes: number;
  /** Deepest nesting of collections: the parsers and every tree walk recurse this deep. */
  maxDepth: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = {
  maxFileBytes: 16 * 1024 * 1024,
  maxDocumentBytes: 4 * 1024 * 1024,
  maxAliasCount: 100,
  maxDocuments: 10_000,
  maxNodes: 1_000_000,
  maxDepth: 64,
};

/** One YAML document's value (or one item of a `kind: List`), with where it came from. */
export interface RawDocument {
  value: unknown;
  source: SourceMap;
  /** 0-based index of the YAML document in its file. */
  index: number;
  /** `items[3]` when the object came out of a List, else "". Paths in `source` are relative to the object. */
  listItem: string;
}

export interface LoadedFile {
  documents: RawDocument[];
  diagnostics: Diagnostic[];
}

/**
 * Every limit is checked before a parse can grow past it: the file's size; each document's size and the document
 * count, from the marker lines; then the node count and nesting depth, which the fast path watches in js-yaml's node
 * events (stopping the parse at once) and the careful path checks with a lexer pass before the `yaml` parser runs.
 */
export function loadText(file: string, text: string, limits: LoadLimits = DEFAULT_LOAD_LIMITS): LoadedFile {
  const source = new SourceText(file, text);
  const fileError = (problem: { code: string; message: string; offset: number }): LoadedFile => ({
    documents: [],
    diagnostics: [{ code: problem.code, severity: "error", message: problem.message, ...source.location(problem.offset), path: "" }],
  });
  if (text.length > limits.maxFileBytes) {
    const message = `file is ${text.length} bytes; the limit is ${limits.maxFileBytes} (raise it with --max-file-bytes)`;
    return fileError({ code: "load/file-too-large", message, offset: 0 });
  }
  const binary = binaryProblem(text);
  if (binary) return fileError(binary);
  const segments = splitDocuments(text);
  const documentProblem = documentLimits(segments, limits);
  if (documentProblem) return fileError(documentProblem);
  const fast = looksLikeJson(text) || ANCHOR.test(text) || DIRECTIVE.test(text) ? undefined : loadFast(source, segments, limits);
  if (fast && !fast.nearLimits) return fast.loaded;
  // Only large or deep files get here from the fast path: the exact count decides, and a file within the limits
  // keeps the values already parsed.
  const problem = scanYaml(text, limits);
  if (problem) return fileError(problem);
  if (fast) return fast.loaded;
  return (looksLikeJson(text) ? loadJson(source) : undefined) ?? loadWithPositions(source, limits);
}

function documentLimits(segments: readonly Segment[], limits: LoadLimits): ScanProblem | undefined {
  if (segments.length > limits.maxDocuments) {
    return { code: "load/too-many-documents", message: `file holds ${segments.length} documents; the limit is ${limits.maxDocuments}`, offset: 0 };
  }
  const i = segments.findIndex((s) => s.end - s.start > limits.maxDocumentBytes);
  if (i === -1) return undefined;
  const { start, end } = segments[i];
  const message = `document ${i + 1} is ${end - start} bytes; the limit is ${limits.maxDocumentBytes} (raise it with --max-document-bytes)`;
  return { code: "load/document-too-large", message, offset: start };
}

/** `&name` anchors (not `&&` in selectors): their aliases must go through the bounded expansion. */
const ANCHOR = /(^|[\s[{,:-])&[A-Za-z0-9_.-]+/m;
/** `%YAML` and `%TAG` bind to the document after them, which a document-by-document parse would lose. */
const DIRECTIVE = /^%/m;

/** Raised from js-yaml's node events to stop a parse that is far past a limit; scanYaml then says where. */
class ParseLimit extends Error {}

interface FastLoad {
  loaded: LoadedFile;
  /** js-yaml's events came within half of a limit, so only the exact count (scanYaml) can tell. */
  nearLimits: boolean;
}

/**
 * Values only, through js-yaml (ten times faster than the position-keeping parser on large policy repositories), one
 * document at a time; a document's positions are computed on first use, from that document's text alone.
 *
 * js-yaml reports each node it opens, which bounds the work: it opens at least one event for every two nodes
 * scanYaml counts and nests at least as deep, so a file under half of each limit is within it, and one far past a
 * limit (twice the nesting, four times the nodes) stops the parse at once. In between, the caller counts exactly.
 * Anything unusual (a parse error, whose message and position come from the other parser) returns undefined.
 */
function loadFast(source: SourceText, segments: readonly Segment[], limits: LoadLimits): FastLoad | undefined {
  const text = source.text;
  const documents: RawDocument[] = [];
  let opened = 0;
  let depth = 0;
  let deepest = 0;
  const listener = (event: "open" | "close") => {
    if (event === "close") {
      depth--;
      return;
    }
    deepest = Math.max(deepest, ++depth);
    if (++opened > 4 * limits.maxNodes || depth > 2 * limits.maxDepth) throw new ParseLimit();
  };
  try {
    segments.forEach((segment, index) => {
      if (!segment.content) return;
      depth = 0;
      const value = jsYaml.load(text.slice(segment.start, segment.end), { schema: jsYaml.CORE_SCHEMA, listener });
      if (value === null || value === undefined) return;
      documents.push({ value, source: new SourceMap(source, lazySpans(source, segment)), index, listItem: "" });
    });
  } catch {
    return undefined;
  }
  const nearLimits = 2 * opened > limits.maxNodes || 2 * deepest > limits.maxDepth;
  return { loaded: { documents, diagnostics: [] }, nearLimits };
}

/** JSON through JSON.parse, after scanYaml bounded its size and depth; positions come later, if at all. */
function loadJson(source: SourceText): LoadedFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(source.text);
  } catch {
    return undefined;
  }
  const whole = { start: 0, end: source.text.length, content: true };
  return { documents: [{ value, source: new SourceMap(source, lazySpans(source, whole)), index: 0, listItem: "" }], diagnostics: [] };
}

function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "[") return true;
    if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r" && c !== "\uFEFF") return false;
  }
  return false;
}

/**
 * Positions for one fast-loaded document, computed on first request from that document's text alone: from js-yaml's
 * node events where they account for every value, else from the `yaml` parser.
 */
export function lazySpans(source: SourceText, segment: Segment): DocumentSpans {
  let parsed: DocumentPositions | undefined;
  const get = () => (parsed ??= eventSpans(source.text, segment.start, segment.end) ?? yamlSpans(source.text, segment));
  return { spans: () => get().spans, start: () => get().start };
}

function yamlSpans(text: string, segment: Segment): DocumentPositions {
  const doc = parseDocument(text.slice(segment.start, segment.end), { uniqueKeys: false });
  const spans = new Map<string, NodeSpan>();
  if (doc.contents) recordSpans(doc.contents, "", spans, undefined, segment.start);
  return { spans, start: segment.start + (doc.contents?.range?.[0] ?? 0) };
}

/** The careful path: the `yaml` parser with positions, error messages, and bounded alias expansion. */
function loadWithPositions(source: SourceText, limits: Pick<LoadLimits, "maxAliasCount">): LoadedFile {
  const text = source.text;
  const diagnostics: Diagnostic[] = [];
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return { documents: [], diagnostics }; // an empty stream
  // Sizes, counts and depth were checked by scanYaml before this parse.
  const documents: RawDocument[] = [];
  let unclosed: number[] | undefined; // computed once per file, on the first unclosed-quote error
  docs.forEach((doc, index) => {
    const start = doc.range[0];
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const message = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        // A quote left open swallows the rest of the file, so the parser notices at the end: report where it opens.
        const opened = e.code === "MISSING_CHAR" && /closing ["']quote/.test(message) ? lastBefore((unclosed ??= unclosedQuoteOffsets(text)), e.pos[0]) : undefined;
        diagnostics.push({
          code: "yaml/syntax",
          severity: "error",
          message: opened === undefined ? `YAML syntax: ${message}` : `YAML syntax: ${message}: the string that opens here is never closed`,
          ...source.location(opened ?? e.pos[0]),
          path: "",
        });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (e) {
      diagnostics.push({
        code: "yaml/alias-limit",
        severity: "error",
        message: `YAML aliases expand past the limit of ${limits.maxAliasCount}; expand them by hand or raise --max-alias-count (${(e as Error).message})`,
        ...source.location(start),
        path: "",
      });
      return;
    }
    if (value === null || value === undefined) return; // an empty document, e.g. a trailing ---
    const spans = new Map<string, NodeSpan>();
    if (doc.contents) recordSpans(doc.contents, "", spans, undefined);
    const contentStart = doc.contents?.range?.[0] ?? start;
    documents.push({ value, source: new SourceMap(source, eagerSpans(spans, contentStart)), index, listItem: "" });
  });
  return { documents, diagnostics };
}

/**
 * Where quoted scalars open that do not end with their closing quote, in the concrete syntax tree: a quote left open
 * runs to the end of the file, where the parser notices it. One more parse of the text, only on this error.
 */
function unclosedQuoteOffsets(text: string): number[] {
  const found: number[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(visit);
    const t = node as { type?: unknown; offset?: number; source?: string };
    if ((t.type === "single-quoted-scalar" || t.type === "double-quoted-scalar") && typeof t.offset === "number" && typeof t.source === "string") {
      if (!closedQuote(t.source, t.type === "double-quoted-scalar" ? '"' : "'")) found.push(t.offset);
      return;
    }
    for (const [k, v] of Object.entries(node)) if (k !== "source") visit(v);
  };
  for (const token of new Parser().parse(text)) visit(token);
  return found;
}

function lastBefore(offsets: readonly number[], end: number): number | undefined {
  let best: number | undefined;
  for (const o of offsets) if (o < end && (best === undefined || o > best)) best = o;
  return best;
}

/** True when the scalar's source ends with its own closing quote (not an escaped one, in a double-quoted string). */
function closedQuote(source: string, quote: string): boolean {
  const body = source.trimEnd();
  if (body.length < 2 || !body.endsWith(quote)) return false;
  if (quote === "'") return true; // '' inside is an escaped quote, but a run that ends the scalar still closes it
  let backslashes = 0;
  for (let i = body.length - 2; i >= 0 && body[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 0;
}

/** Walks the node tree, recording spans by field path. Aliases are not followed: their content maps to the alias. */
function recordSpans(node: unknown, path: string, spans: Map<string, NodeSpan>, key: number | undefined, shift = 0): void {
  if (!node || typeof node !== "object") return;
  const n = node as Node;
  const range = n.range;
  if (range) {
    spans.set(path, { key, start: range[0] + shift, end: range[1] + shift, style: isScalar(n) ? String(n.type) : undefined });
  }
  if (isAlias(n)) return;
  if (isMap(n)) {
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof k !== "string" && typeof k !== "number" && typeof k !== "boolean") continue;
      const keyNode = pair.key as Node | null;
      const keyOffset = keyNode?.range ? keyNode.range[0] + shift : undefined;
      const childPath = joinPath(path, String(k));
      if (pair.value) recordSpans(pair.value, childPath, spans, keyOffset, shift);
      else if (keyOffset !== undefined) spans.set(childPath, { key: keyOffset, start: keyOffset, end: keyOffset });
    }
  } else if (isSeq(n)) {
    n.items.forEach((item, i) => recordSpans(item, joinPath(path, i), spans, undefined, shift));
  }
}

