/**
 * A reader for one Calico Enterprise flow-log line that checks the whole line is JSON but builds nothing: it records
 * where the values of the few fields the replay's fast path reads lie in the text (the endpoints' fields, proto, the
 * ports, num_flows, action, reporter), so a replay can look its endpoints up by their raw text and decode only the
 * scalars. Building every object of every line (JSON.parse) costs more than the rest of a replay.
 *
 * Exact or nothing: `scan` returns false for anything it does not read exactly as JSON.parse would — malformed JSON,
 * a key written with an escape (it may spell a field's name), a field of interest given twice (JSON.parse keeps the
 * last), a search-hit wrapper (`_source`) or a Goldmane-looking key (`flow`, `Key`, `key`), nesting deeper than
 * MAX_DEPTH, a byte-order mark. The caller then parses the line with JSON.parse and reports whatever is wrong there,
 * so a line's problems and positions are the same whichever way it went.
 */
export const SCAN_FIELDS = [
  "source_type",
  "source_namespace",
  "source_name",
  "source_name_aggr",
  "source_ip",
  "source_labels",
  "dest_type",
  "dest_namespace",
  "dest_name",
  "dest_name_aggr",
  "dest_ip",
  "dest_labels",
  "proto",
  "dest_port",
  "source_port",
  "num_flows",
  "action",
  "reporter",
] as const;

/** The slots of one endpoint's fields, in SCAN_FIELDS order: type, namespace, name, aggregated name, ip, labels. */
export const SOURCE_SLOTS = [0, 1, 2, 3, 4, 5] as const;
export const DEST_SLOTS = [6, 7, 8, 9, 10, 11] as const;
const SCALAR_SLOTS = { proto: 12, dest_port: 13, source_port: 14, num_flows: 15, action: 16, reporter: 17 } as const;

/** Keys whose presence sends the line the full way (format detection and the search-hit wrapper read them). */
const GUARD_KEYS = ["_source", "flow", "Key", "key"];
const GUARD = -2;

/** Deeper than this, a value is left to JSON.parse (which has no such limit): a bound on the scanner's recursion. */
export const MAX_DEPTH = 64;

/** What a value is: absent, a string without escapes, a string with escapes, a number, true/false/null, an object or array. */
const Kind = { Absent: 0, String: 1, EscapedString: 2, Number: 3, Literal: 4, Container: 5 } as const;

/** Candidate keys by length, so a key is compared with the few names of its length. */
const BY_LENGTH: Array<Array<[string, number]>> = [];
for (const [name, slot] of [...SCAN_FIELDS.map((f, i) => [f, i] as [string, number]), ...GUARD_KEYS.map((k) => [k, GUARD] as [string, number])]) {
  (BY_LENGTH[name.length] ??= []).push([name, slot]);
}

export class EnterpriseLineScanner {
  /** The scanned line. */
  text = "";
  /** Raw value range per slot ([start, end) in `text`); start is -1 when the field is absent. */
  readonly start = new Int32Array(SCAN_FIELDS.length);
  readonly end = new Int32Array(SCAN_FIELDS.length);
  private readonly kind = new Uint8Array(SCAN_FIELDS.length);
  /** The last value scanned had an escape (strings only). */
  private escaped = false;

  /** True when `text` is one JSON object read exactly, its fields of interest located; false: parse it in full. */
  scan(text: string): boolean {
    this.text = text;
    this.start.fill(-1);
    this.kind.fill(Kind.Absent);
    let i = ws(text, 0);
    if (text.charCodeAt(i) !== 0x7b) return false;
    i = ws(text, i + 1);
    if (text.charCodeAt(i) === 0x7d) return ws(text, i + 1) === text.length;
    for (;;) {
      if (text.charCodeAt(i) !== 0x22) return false;
      const keyEnd = this.string(i);
      if (keyEnd < 0 || this.escaped) return false;
      const slot = slotOf(text, i + 1, keyEnd - 1);
      if (slot === GUARD) return false;
      i = ws(text, keyEnd);
      if (text.charCodeAt(i) !== 0x3a) return false;
      i = ws(text, i + 1);
      const valueStart = i;
      const kind = this.value(i, 0);
      if (kind < 0) return false;
      i = this.at;
      if (slot >= 0) {
        if (this.start[slot] !== -1) return false; // given twice: JSON.parse keeps the last; leave it to JSON.parse
        this.start[slot] = valueStart;
        this.end[slot] = i;
        this.kind[slot] = kind;
      }
      i = ws(text, i);
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i = ws(text, i + 1);
        continue;
      }
      if (c !== 0x7d) return false;
      return ws(text, i + 1) === text.length;
    }
  }

  /** The value of a slot as JSON.parse gives it (undefined when absent). */
  decode(slot: number): unknown {
    const s = this.start[slot];
    if (s < 0) return undefined;
    const e = this.end[slot];
    switch (this.kind[slot]) {
      case Kind.String:
        return this.text.slice(s + 1, e - 1);
      case Kind.Number:
        return Number(this.text.slice(s, e));
      case Kind.Literal:
        return this.text.charCodeAt(s) === 0x6e ? null : this.text.charCodeAt(s) === 0x74;
      default:
        return JSON.parse(this.text.slice(s, e)) as unknown;
    }
  }

  /** The scalar fields the fast path checks, as a document of their own (enterpriseFastFields reads it). */
  scalars(): Record<string, unknown> {
    const v = (slot: number): unknown => this.decode(slot);
    const S = SCALAR_SLOTS;
    return { proto: v(S.proto), dest_port: v(S.dest_port), source_port: v(S.source_port), num_flows: v(S.num_flows), action: v(S.action), reporter: v(S.reporter) };
  }

  /** A hash of one endpoint's raw fields but its labels (equal texts hash equal; compare with `sameRaw`). */
  endpointHash(slots: readonly number[]): number {
    const t = this.text;
    let h = 0x811c9dc5;
    for (let k = 0; k < 5; k++) {
      const s = this.start[slots[k]];
      if (s >= 0) for (let j = s, e = this.end[slots[k]]; j < e; j++) h = Math.imul(h ^ t.charCodeAt(j), 16777619);
      h = Math.imul(h ^ (s < 0 ? 0x1ff : 0x100), 16777619);
    }
    return h | 0;
  }

  /** The raw text of a slot (undefined when absent). */
  raw(slot: number): string | undefined {
    const s = this.start[slot];
    return s < 0 ? undefined : this.text.slice(s, this.end[slot]);
  }

  /** Whether a slot's raw text is `raw` (undefined: absent), without slicing. */
  sameRaw(slot: number, raw: string | undefined): boolean {
    const s = this.start[slot];
    if (raw === undefined || s < 0) return raw === undefined && s < 0;
    return this.end[slot] - s === raw.length && this.text.startsWith(raw, s);
  }

  /** Where the last value scanned ended. */
  private at = 0;

  /** Scans one value at i; its Kind, or -1 when it is not JSON (or too deep). Sets `at` to just past it. */
  private value(i: number, depth: number): number {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c === 0x22) {
      const e = this.string(i);
      this.at = e;
      return e < 0 ? -1 : this.escaped ? Kind.EscapedString : Kind.String;
    }
    if (c === 0x7b || c === 0x5b) return depth >= MAX_DEPTH ? -1 : this.container(i, depth + 1, c === 0x7b);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const e = numberEnd(t, i);
      this.at = e;
      return e < 0 ? -1 : Kind.Number;
    }
    for (const word of LITERALS) {
      if (t.startsWith(word, i)) {
        this.at = i + word.length;
        return Kind.Literal;
      }
    }
    return -1;
  }

  /** An object or array opening at i (validated member by member). */
  private container(i: number, depth: number, object: boolean): number {
    const t = this.text;
    const close = object ? 0x7d : 0x5d;
    i = ws(t, i + 1);
    if (t.charCodeAt(i) === close) {
      this.at = i + 1;
      return Kind.Container;
    }
    for (;;) {
      if (object) {
        if (t.charCodeAt(i) !== 0x22) return -1;
        const e = this.string(i);
        if (e < 0) return -1;
        i = ws(t, e);
        if (t.charCodeAt(i) !== 0x3a) return -1;
        i = ws(t, i + 1);
      }
      if (this.value(i, depth) < 0) return -1;
      i = ws(t, this.at);
      const c = t.charCodeAt(i);
      if (c === close) {
        this.at = i + 1;
        return Kind.Container;
      }
      if (c !== 0x2c) return -1;
      i = ws(t, i + 1);
    }
  }

  /** A string opening at i: the index past its closing quote, or -1. Sets `escaped`. */
  private string(i: number): number {
    const t = this.text;
    const n = t.length;
    this.escaped = false;
    for (let j = i + 1; j < n; j++) {
      const c = t.charCodeAt(j);
      if (c === 0x22) return j + 1;
      if (c < 0x20) return -1;
      if (c === 0x5c) {
        this.escaped = true;
        const d = t.charCodeAt(++j);
        if (d === 0x75) {
          for (let k = 1; k <= 4; k++) if (!isHex(t.charCodeAt(j + k))) return -1;
          j += 4;
        } else if (!(d === 0x22 || d === 0x5c || d === 0x2f || d === 0x62 || d === 0x66 || d === 0x6e || d === 0x72 || d === 0x74)) {
          return -1;
        }
      }
    }
    return -1;
  }
}

const LITERALS = ["true", "false", "null"];

function slotOf(text: string, start: number, end: number): number {
  const candidates = BY_LENGTH[end - start];
  if (candidates === undefined) return -1;
  for (const [name, slot] of candidates) if (text.startsWith(name, start)) return slot;
  return -1;
}

/** Past JSON whitespace (space, tab, newline, carriage return) from i. */
function ws(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** The end of a JSON number at i (-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), or -1. */
function numberEnd(t: string, i: number): number {
  if (t.charCodeAt(i) === 0x2d) i++;
  const first = t.charCodeAt(i);
  if (first === 0x30) i++;
  else if (first >= 0x31 && first <= 0x39) while (isDigit(t.charCodeAt(++i)));
  else return -1;
  if (t.charCodeAt(i) === 0x2e) {
    if (!isDigit(t.charCodeAt(++i))) return -1;
    while (isDigit(t.charCodeAt(++i)));
  }
  const e = t.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    const s = t.charCodeAt(++i);
    if (s === 0x2b || s === 0x2d) i++;
    if (!isDigit(t.charCodeAt(i))) return -1;
    while (isDigit(t.charCodeAt(++i)));
  }
  return i;
}
