import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import { joinPath, type Diagnostic } from "./diagnostic.js";
import { SourceMap, SourceText, type NodeSpan } from "./source.js";

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
  const diagnostics: Diagnostic[] = [];
  const fileError = (code: string, message: string, offset = 0): LoadedFile => {
    diagnostics.push({ code, severity: "error", message, ...source.location(offset), path: "" });
    return { documents: [], diagnostics };
  };

  if (text.length > limits.maxFileBytes) {
    return fileError("load/file-too-large", `file is ${text.length} bytes; the limit is ${limits.maxFileBytes} (raise it with --max-file-bytes)`);
  }
  const nul = text.indexOf("\u0000");
  if (nul !== -1) return fileError("load/binary-file", "file contains NUL bytes; it is binary, not YAML or JSON", nul);

  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return { documents: [], diagnostics }; // an empty stream
  if (docs.length > limits.maxDocuments) {
    return fileError("load/too-many-documents", `file holds ${docs.length} documents; the limit is ${limits.maxDocuments}`);
  }

  const documents: RawDocument[] = [];
  docs.forEach((doc, index) => {
    const [start, , end] = doc.range;
    if (end - start > limits.maxDocumentBytes) {
      diagnostics.push({
        code: "load/document-too-large",
        severity: "error",
        message: `document ${index + 1} is ${end - start} bytes; the limit is ${limits.maxDocumentBytes}`,
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
        message: `YAML aliases expand past the limit of ${limits.maxAliasCount}; expand them by hand (${(e as Error).message})`,
        ...source.location(start),
        path: "",
      });
      return;
    }
    if (value === null || value === undefined) return; // an empty document, e.g. a trailing ---
    const spans = new Map<string, NodeSpan>();
    if (doc.contents) recordSpans(doc.contents, "", spans, undefined);
    const contentStart = doc.contents?.range?.[0] ?? start;
    documents.push({ value, source: new SourceMap(source, spans, contentStart), index, listItem: "" });
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
