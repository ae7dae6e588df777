import { parseEnterpriseRecord } from "./enterprise.js";
import { isObject, show } from "./fields.js";
import { parseGoldmaneRecord } from "./goldmane.js";
import { locateJsonError } from "./json-error.js";
import type { FlowFormat, FlowProblem, FlowProblemCode, FlowReadResult } from "./types.js";

/**
 * One line of a flow file in, one record (or the problems that kept it out) back. The caller reads and decompresses
 * files and splits lines; this module only parses text it is given.
 */

/** Large enough for an Enterprise document with many labels and policies, small enough to refuse a runaway line. */
export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

/** Top-level fields only an Enterprise document has; Goldmane keeps its identity under `Key`. */
const ENTERPRISE_FIELDS = ["source_type", "dest_type", "source_name_aggr", "dest_name_aggr", "proto", "num_flows"];

/** The format a parsed value looks like, by field presence; undefined when it looks like neither. */
export function detectFormat(value: unknown): FlowFormat | undefined {
  if (!isObject(value)) return undefined;
  if (isObject(value._source)) return "enterprise";
  const flow = isObject(value.flow) ? value.flow : value;
  if (isObject(flow.Key) || isObject(flow.key)) return "goldmane";
  return ENTERPRISE_FIELDS.some((f) => f in value) ? "enterprise" : undefined;
}

const FORMAT_NAMES: Readonly<Record<FlowFormat, string>> = {
  enterprise: "Calico Enterprise flow log",
  goldmane: "Goldmane flow",
};

export interface FlowLineOptions {
  /** The file's format; when undefined each line is detected on its own. */
  format?: FlowFormat;
  /** Lines longer than this many characters are refused unparsed. */
  maxLineLength?: number;
}

export interface FlowLineResult extends FlowReadResult {
  /** The format the line was read as; undefined for blank lines and lines that failed before detection. */
  format?: FlowFormat;
}

/** A line parsed as JSON and recognised, but not yet read into a record (the replay's fast path stops here). */
export type FlowValueResult =
  | { value: Record<string, unknown>; format: FlowFormat; diagnostics?: undefined }
  | { value?: undefined; format?: undefined; diagnostics: FlowProblem[] };

/** Parses one line as JSON and detects its format. Blank lines give no value and no problem. */
export function parseFlowValue(text: string, line: number, options: FlowLineOptions = {}): FlowValueResult {
  const max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const problem = (code: FlowProblemCode, message: string, col?: number): FlowValueResult => ({
    diagnostics: [col === undefined ? { code, line, message } : { code, line, col, message }],
  });
  if (text.length > max) {
    return problem("flows/line-too-long", `the line is ${text.length} characters long; the limit is ${max}`);
  }
  // A byte-order mark may start a file; it is not JSON, so skip it and keep columns true to the text.
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = bom ? text.slice(1) : text;
  // Checked before parsing: a thrown JSON.parse per blank line made a file of newlines cost minutes.
  if (isBlank(body)) return { diagnostics: [] };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const at = locateJsonError(body);
    if (!at) return problem("flows/malformed-json", "the line is not valid JSON");
    return problem("flows/malformed-json", `malformed JSON at column ${at.offset + bom + 1}: ${at.reason}`, at.offset + bom + 1);
  }
  if (!isObject(value)) {
    return problem("flows/not-an-object", `expected one JSON object per line, found ${Array.isArray(value) ? "an array" : show(value)}`);
  }
  const detected = detectFormat(value);
  const format = options.format ?? detected;
  if (!format) {
    return problem("flows/unknown-format", "the object is neither a Calico Enterprise flow log nor a Goldmane flow");
  }
  if (detected && detected !== format) {
    return problem("flows/mixed-formats", `the line is a ${FORMAT_NAMES[detected]}, but the file is read as ${FORMAT_NAMES[format]}s`);
  }
  return { value, format };
}

/** True for "" and whitespace-only text; stops at the first other character (a record's `{`). */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/** Reads a recognised value into a record. */
export function recordFromValue(value: Record<string, unknown>, format: FlowFormat, line: number): FlowReadResult {
  return format === "enterprise" ? parseEnterpriseRecord(value, line) : parseGoldmaneRecord(value, line);
}

/** Parses one line. Blank lines give neither a record nor a problem. */
export function parseFlowLine(text: string, line: number, options: FlowLineOptions = {}): FlowLineResult {
  const parsed = parseFlowValue(text, line, options);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics };
  return { ...recordFromValue(parsed.value, parsed.format, line), format: parsed.format };
}

/**
 * A line parser that settles the format on the first line that yields a record, then holds every later line to it,
 * so that one stray line of the other format is reported instead of silently read differently.
 */
export function createFlowLineParser(options: FlowLineOptions = {}): (text: string, line: number) => FlowLineResult {
  let format = options.format;
  return (text, line) => {
    const result = parseFlowLine(text, line, { ...options, format });
    if (format === undefined && result.record) format = result.format;
    return result;
  };
}

/** The value-level twin of createFlowLineParser: settles the format on the first recognised line. */
export function createFlowValueParser(options: FlowLineOptions = {}): (text: string, line: number) => FlowValueResult {
  // One options object, updated when the format settles: a copy per line cost more than the parse's own checks.
  const settled: FlowLineOptions = { ...options };
  return (text, line) => {
    const result = parseFlowValue(text, line, settled);
    if (settled.format === undefined && result.value !== undefined) settled.format = result.format;
    return result;
  };
}
