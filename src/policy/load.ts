import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import { joinPath, type Diagnostic } from "./diagnostic.js";
import jsYaml from "js-yaml";
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
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = {
  maxFileBytes: 16 * 1024 * 1024,
  maxDocumentBytes: 4 * 1024 * 1024,
  maxAliasCount: 100,
  maxDocuments: 10_000,
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

export function loadText(file: string, text: string, limits: LoadLimits = DEFAULT_LOAD_LIMITS): LoadedFile {
  const source = new SourceText(file, text);
  const fileError = (code: string, message: string, offset = 0): LoadedFile => ({
    documents: [],
    diagnostics: [{ code, severity: "error", message, ...source.location(offset), path: "" }],
  });
  if (text.length > limits.maxFileBytes) {
    return fileError("load/file-too-large", `file is ${text.length} bytes; the limit is ${limits.maxFileBytes} (raise it with --max-file-bytes)`);
  }
  const nul = text.indexOf("\u0000");
  if (nul !== -1) return fileError("load/binary-file", "file contains NUL bytes; it is binary, not YAML or JSON", nul);
  return loadFast(source, limits) ?? loadWithPositions(source, limits);
}

/**
 * Values only, through JSON.parse or js-yaml (ten times faster than the position-keeping parser on large policy
 * repositories); positions are computed on first use. Anything unusual — anchors (alias expansion must be bounded),
 * a parse error (its message and position come from the other parser), an oversized document — returns undefined
 * and the caller takes the careful path.
 */
function loadFast(source: SourceText, limits: LoadLimits): LoadedFile | undefined {
  const text = source.text;
  if (ANCHOR.test(text)) return undefined;
  let values: unknown[];
  try {
    const trimmed = text.trimStart();
    values = trimmed.startsWith("{") || trimmed.startsWith("[") ? [JSON.parse(text)] : jsYaml.loadAll(text, undefined, { schema: jsYaml.CORE_SCHEMA });
  } catch {
    return undefined;
  }
  if (values.length > limits.maxDocuments) return undefined;
  const lazy = new LazyPositions(source);
  const documents: RawDocument[] = [];
  let k = 0;
  values.forEach((value, index) => {
    if (value === null || value === undefined) return;
    documents.push({ value, source: new SourceMap(source, lazy.document(k++)), index, listItem: "" });
  });
  // Document sizes are checked against the raw text: a document can only be as large as the file.
  if (text.length > limits.maxDocumentBytes && documents.length > 0 && documents.some((_, i) => lazy.documentLength(i) > limits.maxDocumentBytes)) {
    return undefined;
  }
  return { documents, diagnostics: [] };
}

/** `&name` anchors (not `&&` in selectors): their aliases must go through the bounded expansion. */
const ANCHOR = /(^|[\s[{,:-])&[A-Za-z0-9_.-]+/m;

/** Positions for a fast-loaded file: the careful parse runs once, on the first request, for every document. */
class LazyPositions {
  private docs: Array<{ spans: Map<string, NodeSpan>; start: number; length: number }> | undefined;
  constructor(private readonly source: SourceText) {}

  private all() {
    if (!this.docs) {
      const parsed = parseAllDocuments(this.source.text, { lineCounter: new LineCounter(), uniqueKeys: false });
      const docs = Array.isArray(parsed) ? parsed : [];
      this.docs = docs
        .filter((d) => d.contents !== null && !(isScalar(d.contents) && d.contents.value === null))
        .map((d) => {
          const spans = new Map<string, NodeSpan>();
          if (d.contents) recordSpans(d.contents, "", spans, undefined);
          return { spans, start: d.contents?.range?.[0] ?? d.range[0], length: d.range[2] - d.range[0] };
        });
    }
    return this.docs;
  }

  document(k: number): DocumentSpans {
    return { spans: () => this.all()[k]?.spans ?? new Map(), start: () => this.all()[k]?.start ?? 0 };
  }

  documentLength(k: number): number {
    return this.all()[k]?.length ?? 0;
  }
}

/** The careful path: the `yaml` parser with positions, error messages, and bounded alias expansion. */
function loadWithPositions(source: SourceText, limits: LoadLimits): LoadedFile {
  const text = source.text;
  const diagnostics: Diagnostic[] = [];
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return { documents: [], diagnostics }; // an empty stream
  if (docs.length > limits.maxDocuments) {
    return {
      documents: [],
      diagnostics: [{ code: "load/too-many-documents", severity: "error", message: `file holds ${docs.length} documents; the limit is ${limits.maxDocuments}`, ...source.location(0), path: "" }],
    };
  }
  const documents: RawDocument[] = [];
  docs.forEach((doc, index) => {
    const [start, , end] = doc.range;
    if (end - start > limits.maxDocumentBytes) {
      diagnostics.push({
        code: "load/document-too-large",
        severity: "error",
        message: `document ${index + 1} is ${end - start} bytes; the limit is ${limits.maxDocumentBytes} (raise it with --max-document-bytes)`,
        ...source.location(start),
        path: "",
      });
      return;
    }
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
function recordSpans(node: unknown, path: string, spans: Map<string, NodeSpan>, key: number | undefined): void {
  if (!node || typeof node !== "object") return;
  const n = node as Node;
  const range = n.range;
  if (range) {
    spans.set(path, { key, start: range[0], end: range[1], style: isScalar(n) ? String(n.type) : undefined });
  }
  if (isAlias(n)) return;
  if (isMap(n)) {
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof k !== "string" && typeof k !== "number" && typeof k !== "boolean") continue;
      const keyNode = pair.key as Node | null;
      const keyOffset = keyNode?.range?.[0];
      const childPath = joinPath(path, String(k));
      if (pair.value) recordSpans(pair.value, childPath, spans, keyOffset);
      else if (keyOffset !== undefined) spans.set(childPath, { key: keyOffset, start: keyOffset, end: keyOffset });
    }
  } else if (isSeq(n)) {
    n.items.forEach((item, i) => recordSpans(item, joinPath(path, i), spans, undefined));
  }
}

/** A view of a document's span map re-rooted at `items[i]`, for objects inside a `kind: List`. */
export function listItemSource(doc: RawDocument, index: number): SourceMap {
  return doc.source.child(joinPath("items", index));
}
