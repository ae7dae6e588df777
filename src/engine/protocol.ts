/**
 * Protocol names and numbers. Calico's API accepts the case-sensitive names below or a number 1-255 (as an integer
 * or a numeric string); flow logs write lower-case names or numbers.
 */
import { PROTOCOL_NUMBERS } from "../policy/index.js";

export { PROTOCOL_NUMBERS };

const NAMES_BY_NUMBER = new Map(Object.entries(PROTOCOL_NUMBERS).map(([k, v]) => [v, k]));

/** A rule's protocol as a number; NaN when it is not valid (validation reports why). */
export function parseProtocol(p: number | string): number {
  if (typeof p === "number") return Number.isInteger(p) && p >= 1 && p <= 255 ? p : NaN;
  if (Object.prototype.hasOwnProperty.call(PROTOCOL_NUMBERS, p)) return PROTOCOL_NUMBERS[p];
  if (/^\d+$/.test(p)) return parseProtocol(Number(p));
  return NaN;
}

/** A flow record's protocol, case-insensitively ("tcp", "TCP", "6", 6). Undefined when unrecognised. */
export function parseFlowProtocol(p: unknown): number | undefined {
  if (typeof p === "number") return Number.isInteger(p) && p >= 0 && p <= 255 ? p : undefined;
  if (typeof p !== "string") return undefined;
  if (/^\d+$/.test(p)) return parseFlowProtocol(Number(p));
  const lower = p.toLowerCase();
  for (const [name, num] of Object.entries(PROTOCOL_NUMBERS)) if (name.toLowerCase() === lower) return num;
  return undefined;
}

export function protocolName(n: number): string {
  return NAMES_BY_NUMBER.get(n) ?? String(n);
}

export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;
export const ICMPV6 = 58;
