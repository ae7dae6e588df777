import type { Diagnostic } from "../policy/index.js";

/**
 * The neutral flow model both readers produce (calico-semantics §10). It keeps what the records say and nothing the
 * engine would compute: protocols stay as written, IPs stay text, policy strings stay raw. Optional fields are
 * undefined when the record does not carry them or marks them as aggregated (`-`, null).
 */
export type FlowFormat = "enterprise" | "goldmane";

/** `wep` workload endpoint (pod), `hep` host endpoint, `ns` network set, `net` any other network (`pvt`/`pub`). */
export type FlowEndpointType = "wep" | "hep" | "ns" | "net";

export interface FlowEndpointRef {
  type: FlowEndpointType;
  /** Undefined for `-`, empty, or absent: global endpoints and networks. */
  namespace?: string;
  /** The exact pod/host-endpoint/set name; undefined when the record only knows an aggregate (`-` or a `*` name). */
  name?: string;
  /**
   * The aggregated name: Enterprise `*_name_aggr` (e.g. `frontend-7d9c-*`), the Goldmane name, or `pvt`/`pub` for a
   * network. Equals `name` when the record names one endpoint; undefined when the record gives neither.
   */
  nameAggr?: string;
  /** Undefined when null/aggregated, and always for Goldmane (it records no IPs). */
  ip?: string;
  /**
   * On `src`, the source port; on `dst`, the same value as `FlowRecord.dstPort`. Undefined when null/aggregated, 0
   * (not applicable, e.g. ICMP), or not recorded (Goldmane has no source ports).
   */
  port?: number;
  /**
   * Undefined when the record has no labels or marks them aggregated (Enterprise `-`). With `labelsAggregated`
   * true and labels present, they are the intersection over several endpoints (Goldmane): a label missing here may
   * still be set on some of them.
   */
  labels?: Record<string, string>;
  /** True when `labels` may not be the full label set of every endpoint the record stands for. */
  labelsAggregated: boolean;
}

export interface FlowRecord {
  /** Which reader produced it; it also says which policy-string dialect `policies` holds (see `policies`). */
  format: FlowFormat;
  /** 1-based line in the input. */
  line: number;
  src: FlowEndpointRef;
  dst: FlowEndpointRef;
  /** As written: "tcp", "UDP", "icmp", "6", ... Always a name or number the readers recognised. */
  protocol: string;
  /** Undefined when absent, null, or 0 (ICMP and other port-less protocols). */
  dstPort?: number;
  /** Undefined when the record does not say which end reported it. */
  reporter?: "src" | "dst";
  /** The reporter's recorded verdict; undefined when absent. */
  action?: "allow" | "deny";
  /**
   * Raw policy strings, undefined when the record has no `policies`; each list undefined when absent. Enterprise
   * records keep the strings as written (`<idx>|<tier>|<ns>/<tier>.<name>|<action>|<rule>`); Goldmane hits are
   * rendered in the v3.32 form `<idx>|<tier>|<kind>:<ns>/<name>|<action>|<rule>`. Goldmane has no `all` list.
   */
  policies?: { all?: string[]; enforced?: string[]; pending?: string[] };
  /** Enterprise `num_flows`; Goldmane `num_connections_started`. At least 1: a record stands for some traffic. */
  numFlows: number;
  /** bytes_in + bytes_out; 0 when absent. */
  bytes: number;
  /** packets_in + packets_out; 0 when absent. */
  packets: number;
  /** UNIX seconds; undefined when absent. */
  startTime?: number;
  endTime?: number;
  /** The destination service; undefined when the record names none (`-`, empty) or several (`*`). */
  service?: { name?: string; namespace?: string; port?: number; portName?: string };
}

export type FlowProblemCode =
  /** The line itself: too long, not JSON, not an object, or neither format (or not the file's format). */
  | "flows/line-too-long"
  | "flows/malformed-json"
  | "flows/not-an-object"
  | "flows/unknown-format"
  | "flows/mixed-formats"
  /** The record's fields. */
  | "flows/missing-endpoint"
  | "flows/bad-endpoint-type"
  | "flows/bad-protocol"
  | "flows/bad-port"
  | "flows/bad-ip"
  | "flows/bad-labels"
  | "flows/bad-number"
  | "flows/bad-reporter"
  | "flows/bad-action"
  | "flows/bad-field"
  | "flows/bad-policy-hit"
  /** Inventory items. */
  | "inventory/not-an-object"
  | "inventory/missing-kind"
  | "inventory/missing-name"
  | "inventory/missing-namespace"
  | "inventory/bad-labels"
  | "inventory/bad-port"
  | "inventory/duplicate"
  | "inventory/duplicate-ip";

/**
 * A problem found while reading one flow line or inventory document. Codes are `flows/...` and `inventory/...`.
 * A flow reader returns a record only when it found no problem, so a flow problem always means a skipped line. An
 * inventory problem means a skipped item, except `inventory/duplicate-ip`, where only the IP index loses the pod.
 */
export interface FlowProblem {
  code: FlowProblemCode;
  /** 1-based input line; 0 when there is none (inventory values carry no lines: see `document` and `path`). */
  line: number;
  /** 1-based column inside the line, when known (malformed JSON). */
  col?: number;
  message: string;
  /** 0-based index of the inventory document concerned. */
  document?: number;
  /** Field path inside that document, e.g. `items[3].metadata.name`; a SourceMap from the loader turns it into a line. */
  path?: string;
}

/** The result of reading one value: a record, or the problems that kept it out. */
export interface FlowReadResult {
  record?: FlowRecord;
  diagnostics: FlowProblem[];
}

/** A flow problem in the project-wide diagnostic shape, for renderers. */
export function flowProblemToDiagnostic(problem: FlowProblem, file: string): Diagnostic {
  return {
    code: problem.code,
    severity: "error",
    message: problem.message,
    file,
    line: problem.line,
    col: problem.col ?? 1,
    path: problem.path ?? "",
  };
}
