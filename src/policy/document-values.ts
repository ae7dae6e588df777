import { lazySpans, type RawDocument } from "./load.js";
import { splitDocuments } from "./scan.js";
import { SourceMap, SourceText } from "./source.js";

/** What a worker thread needs of a loaded document to rebuild it without parsing: structured-cloneable. */
export interface DocumentValue {
  value: unknown;
  index: number;
  listItem: string;
}

/** The plain values of loaded documents, to post to a worker thread (the inverse of documentsFromValues). */
export function documentValues(documents: readonly RawDocument[]): DocumentValue[] {
  return documents.map(({ value, index, listItem }) => ({ value, index, listItem }));
}

/**
 * Documents already parsed (by loadText, in another thread) back into RawDocuments over their file's text, with
 * positions computed lazily as loadText's fast path does: a worker rebuilding a policy set skips the YAML parse.
 */
export function documentsFromValues(file: string, text: string, values: readonly DocumentValue[]): RawDocument[] {
  const source = new SourceText(file, text);
  const segments = splitDocuments(text);
  const whole = { start: 0, end: text.length, content: true };
  return values.map((d) => ({ ...d, source: new SourceMap(source, lazySpans(source, segments[d.index] ?? whole)) }));
}
