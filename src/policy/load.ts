import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Node } from "yaml";
import jsYaml from "js-yaml";
import { binaryProblem } from "./encoding.js";
import { joinPath, type Diagnostic } from "./diagnostic.js";
import { eventSpans, type DocumentPositions } from "./positions.js";
import { scanYaml, type Segment } from "./scan.js";
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
 * Every limit is checked before anything is parsed: the file's size, then (in one streaming pass over the lexer's
 * tokens) each document's size, the document count, the node count and the nesting depth. Only then does one
 * parser build values.
 */
export function loadText(file: string, text: string, limits: LoadLimits = DEFAULT_LOAD_LIMITS): LoadedFile {
  const source = new SourceText(file, text);
  const fileError = (code: string, message: string, offset = 0): LoadedFile => ({
    documents: [],
    diagnostics: [{ code, severity: "error", message, ...source.location(offset), path: "" }],
  });
  if (text.length > limits.maxFileBytes) {
    return fileError("load/file-too-large", `file is ${text.length} bytes; the limit is ${limits.maxFileBytes} (raise it with --max-file-bytes)`);
  }
  const binary = binaryProblem(text);
  if (binary) return fileError(binary.code, binary.message, binary.offset);
  const scan = scanYaml(text, limits);
  if (scan.problem) return fileError(scan.problem.code, scan.problem.message, scan.problem.offset);
  return (scan.needsCarefulParse ? undefined : loadFast(source, scan.segments)) ?? loadWithPositions(source, limits);
}

/**
 * Values only, through JSON.parse or js-yaml (ten times faster than the position-keeping parser on large policy
 * repositories), one document (segment) at a time; a document's positions are computed on first use, from that
 * document's text alone. Anything unusual (a parse error, whose message and position come from the other parser)
 * returns undefined and the caller takes the careful path. Anchors and directives never get here (see scanYaml).
 */
function loadFast(source: SourceText, segments: readonly Segment[]): LoadedFile | undefined {
  const text = source.text;
  const documents: RawDocument[] = [];
  try {
    if (looksLikeJson(text)) {
      const whole = { start: 0, end: text.length, content: true };
      return { documents: [{ value: JSON.parse(text), source: new SourceMap(source, lazySpans(source, whole)), index: 0, listItem: "" }], diagnostics: [] };
    }
    segments.forEach((segment, index) => {
      if (!segment.content) return;
      const value = jsYaml.load(text.slice(segment.start, segment.end), { schema: jsYaml.CORE_SCHEMA });
      if (value === null || value === undefined) return;
      documents.push({ value, source: new SourceMap(source, lazySpans(source, segment)), index, listItem: "" });
    });
  } catch {
    return undefined;
  }
  return { documents, diagnostics: [] };
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
function lazySpans(source: SourceText, segment: Segment): DocumentSpans {
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
  docs.forEach((doc, index) => {
    const start = doc.range[0];
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        diagnostics.push({
          code: "yaml/syntax",
          severity: "error",
          message: `YAML syntax: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`,
          ...source.location(e.pos[0]),
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

/** A view of a document's span map re-rooted at `items[i]`, for objects inside a `kind: List`. */
export function listItemSource(doc: RawDocument, index: number): SourceMap {
  return doc.source.child(joinPath("items", index));
}
