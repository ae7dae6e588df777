import { closest } from "../schema.js";
import { hint, quote } from "./context.js";

/**
 * Calico's numorstring.Protocol as validation sees it: a name from a fixed, case-sensitive list, or a number 1–255
 * written as an int or as a string of digits that fits in a byte ("256" is treated as a name, and so is invalid).
 * calico-semantics §5, §12 "Rule" (validator.go validateProtocol).
 */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  TCP: 6,
  UDP: 17,
  ICMP: 1,
  ICMPv6: 58,
  SCTP: 132,
  UDPLite: 136,
};
const NAMES = Object.keys(PROTOCOL_NUMBERS);

/** Protocols whose rules may name ports: TCP, UDP and SCTP. */
export const PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132]);

export type ProtocolCheck =
  | { ok: true; number: number }
  | { ok: false; code: "protocol-case" | "protocol-invalid" | "protocol-number"; message: string; number?: number };

export function checkProtocolValue(field: string, value: number | string): ProtocolCheck {
  if (typeof value === "number" || /^[0-9]+$/.test(value)) {
    const n = Number(value);
    if (typeof value === "string" && n > 255) return badName(field, value);
    if (n >= 1 && n <= 255) return { ok: true, number: n };
    return {
      ok: false,
      code: "protocol-number",
      message: `${field} number ${value} is not valid: protocol numbers are 1 to 255; use a name such as TCP or a number in range`,
    };
  }
  if (value in PROTOCOL_NUMBERS) return { ok: true, number: PROTOCOL_NUMBERS[value] };
  return badName(field, value);
}

function badName(field: string, value: string): ProtocolCheck {
  const caseFix = NAMES.find((n) => n.toLowerCase() === value.toLowerCase());
  if (caseFix) {
    return {
      ok: false,
      code: "protocol-case",
      message: `${field} ${quote(value)} is not valid: protocol names are case-sensitive; write ${quote(caseFix)}`,
      number: PROTOCOL_NUMBERS[caseFix],
    };
  }
  return {
    ok: false,
    code: "protocol-invalid",
    message: `${field} ${quote(value)} is not a protocol: use one of ${NAMES.join(", ")} or a number 1 to 255` +
      hint(closest(value, NAMES)),
  };
}
