import { parseIpAddress } from "../policy/index.js";
import type { FlowEndpointRef, FlowEndpointType, FlowProblem, FlowProblemCode, FlowReadResult, FlowRecord } from "./types.js";

/**
 * Lenient readers for the scalar fields both flow formats share. Real exports vary in type (Elasticsearch keeps what
 * was indexed; proto3 JSON writes int64 as strings), so numbers may be strings; but a value that is neither absent nor
 * a sensible value is reported, never guessed at. Each reader returns `INVALID` for nonsense so callers can say which
 * field was wrong.
 */
export const INVALID = Symbol("invalid");
export type Read<T> = T | undefined | typeof INVALID;

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Absent in Calico's flow records: missing, null, empty, or the `-` placeholder. */
export function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === "" || v === "-";
}

/** A name or namespace: undefined when absent; nonsense when not a string. */
export function readName(v: unknown): Read<string> {
  if (isAbsent(v)) return undefined;
  return typeof v === "string" ? v : INVALID;
}

/** A non-negative integer (counters, times), as a number or a decimal string. */
export function readCount(v: unknown): Read<number> {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : INVALID;
  if (typeof v === "string" && /^\d{1,15}$/.test(v)) return Number(v);
  return INVALID;
}

/** A signed integer (proto3 policy and rule indices, where -1 means end of tier). */
export function readInt(v: unknown): Read<number> {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : INVALID;
  if (typeof v === "string" && /^-?\d{1,15}$/.test(v)) return Number(v);
  return INVALID;
}

/** A port: undefined when absent or 0 (Calico writes 0 where a port does not apply). */
export function readPort(v: unknown): Read<number> {
  if (isAbsent(v)) return undefined;
  const n = readCount(v);
  if (n === INVALID || n === undefined || n > 65535) return INVALID;
  return n === 0 ? undefined : n;
}

/** Protocol names flow logs write (case-insensitively); numbers 0-255 are accepted as written. */
const PROTOCOL_NAMES = new Set(["tcp", "udp", "icmp", "icmpv6", "sctp", "udplite"]);

/** The protocol as written, when it is a known name or a number; undefined when absent. */
export function readProtocol(v: unknown): Read<string> {
  if (isAbsent(v)) return undefined;
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 && v <= 255 ? String(v) : INVALID;
  if (typeof v !== "string") return INVALID;
  if (/^\d{1,3}$/.test(v)) return Number(v) <= 255 ? v : INVALID;
  return PROTOCOL_NAMES.has(v.toLowerCase()) ? v : INVALID;
}

/**
 * An IP address as text, checked with the parser the engine uses: an address that only looks like one ("::::",
 * "10.0.0.010") would otherwise reach the engine, fail to parse there, and be taken as no address at all.
 * Undefined when absent (aggregated records write null).
 */
export function readIp(v: unknown): Read<string> {
  if (isAbsent(v)) return undefined;
  if (typeof v !== "string") return INVALID;
  return parseIpAddress(v) !== undefined ? v : INVALID;
}

/** `["k=v", ...]` split at the first `=`, as Calico writes labels. Undefined for an item that is not `k=v`. */
export function parseLabelList(items: readonly unknown[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (const item of items) {
    if (typeof item !== "string") return undefined;
    const eq = item.indexOf("=");
    if (eq <= 0) return undefined;
    labels[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return labels;
}

/** Endpoint type words across formats and versions (Enterprise, early Goldmane strings, Goldmane enum names). */
const ENDPOINT_TYPES: Readonly<Record<string, FlowEndpointType>> = {
  wep: "wep",
  hep: "hep",
  ns: "ns",
  net: "net",
  workloadendpoint: "wep",
  hostendpoint: "hep",
  networkset: "ns",
  network: "net",
};

export function endpointTypeFromWord(word: string): FlowEndpointType | undefined {
  return Object.prototype.hasOwnProperty.call(ENDPOINT_TYPES, word.toLowerCase())
    ? ENDPOINT_TYPES[word.toLowerCase()]
    : undefined;
}

/** Collects the problems of one record, all on the record's line. */
export class ProblemList {
  readonly items: FlowProblem[] = [];
  constructor(readonly line: number) {}

  add(code: FlowProblemCode, message: string): void {
    this.items.push({ code, line: this.line, message });
  }
}

/** Words for a bad value in a message: short, and never the whole of a huge value. */
export function show(v: unknown): string {
  const text = typeof v === "string" ? JSON.stringify(v) : v === undefined ? "nothing" : JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** What a format's reader found in one record; `finishRecord` checks it whole. */
export interface RecordParts extends Pick<FlowRecord, "reporter" | "action" | "policies" | "service" | "startTime" | "endTime"> {
  src: FlowEndpointRef | undefined;
  dst: FlowEndpointRef | undefined;
  protocol: Read<string>;
  dstPort: Read<number>;
  numFlows: number;
  bytes: number;
  packets: number;
}

/**
 * The counts and times both formats keep under the same names (bytes and packets in and out, start and end), and
 * the connection count under `flowsField`: at least 1, since a record stands for one flow at the least. `get` reads
 * one field of the record (a plain lookup, or Goldmane's camelCase-or-snake_case pick).
 */
export function readCounts(get: (field: string) => unknown, flowsField: string, problems: ProblemList): Pick<RecordParts, "numFlows" | "bytes" | "packets" | "startTime" | "endTime"> {
  const n = (field: string): number | undefined => {
    const v = readCount(get(field));
    if (v !== INVALID) return v;
    problems.add("flows/bad-number", `${field} ${show(get(field))} is not a non-negative integer`);
    return undefined;
  };
  const numFlows = Math.max(1, n(flowsField) ?? 1);
  const bytes = (n("bytes_in") ?? 0) + (n("bytes_out") ?? 0);
  const packets = (n("packets_in") ?? 0) + (n("packets_out") ?? 0);
  return { numFlows, bytes, packets, startTime: n("start_time"), endTime: n("end_time") };
}

/** The record, or every problem found: a record with any problem is reported, never replayed in part. */
export function finishRecord(format: FlowRecord["format"], line: number, parts: RecordParts, problems: ProblemList): FlowReadResult {
  const { src, dst, protocol, dstPort } = parts;
  if (problems.items.length > 0 || !src || !dst || protocol === undefined || protocol === INVALID) {
    return { diagnostics: problems.items };
  }
  const record: FlowRecord = { format, line, src, dst, protocol, numFlows: parts.numFlows, bytes: parts.bytes, packets: parts.packets };
  if (dstPort !== undefined && dstPort !== INVALID) record.dstPort = dst.port = dstPort;
  if (parts.reporter) record.reporter = parts.reporter;
  if (parts.action) record.action = parts.action;
  if (parts.policies) record.policies = parts.policies;
  if (parts.startTime !== undefined) record.startTime = parts.startTime;
  if (parts.endTime !== undefined) record.endTime = parts.endTime;
  if (parts.service) record.service = parts.service;
  return { record, diagnostics: [] };
}
