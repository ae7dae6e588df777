import { joinPath } from "../../contracts/index.js";
import type { AnpPort, CnpPort, CnpProtocol } from "../types.js";
import { quote, type ValidationContext } from "./context.js";

/**
 * Ports of the cluster-admin kinds. v1alpha2 `protocols` entries set exactly one of tcp, udp, sctp or
 * destinationNamedPort; a destinationPort sets exactly one of number or range; ports are 1–65535 and a range's start
 * is below its end ("Start port must be less than End port"). v1alpha1 `ports` entries set exactly one of portNumber,
 * namedPort or portRange, with protocol TCP, UDP or SCTP (absent means TCP).
 */
const PROTOCOL_FIELDS = ["tcp", "udp", "sctp", "destinationNamedPort"] as const;
const PROTOCOLS = ["TCP", "UDP", "SCTP"];

export function checkCnpProtocol(p: CnpProtocol, path: string, ctx: ValidationContext): void {
  const set = PROTOCOL_FIELDS.filter((k) => p[k] !== undefined);
  if (set.length !== 1) {
    ctx.report("cnp/protocol-one-of", path,
      set.length === 0
        ? "the protocols entry is empty: set exactly one of tcp, udp, sctp or destinationNamedPort (an empty entry would match all traffic)"
        : `the protocols entry sets ${set.join(" and ")}: set exactly one, and add an entry per protocol`);
  }
  for (const proto of ["tcp", "udp", "sctp"] as const) {
    const entry = p[proto];
    if (entry === undefined) continue;
    const at = joinPath(path, proto);
    if (entry.destinationPort === undefined) {
      ctx.report("cnp/port-one-of", at, `${proto} needs a destinationPort (number or range); leave the whole entry out to match every ${proto.toUpperCase()} port`);
    } else {
      checkCnpPort(entry.destinationPort, joinPath(at, "destinationPort"), ctx);
    }
  }
  if (p.destinationNamedPort !== undefined && p.destinationNamedPort === "") {
    ctx.report("cnp/named-port", joinPath(path, "destinationNamedPort"), "destinationNamedPort is empty: name a container port");
  }
}

function checkCnpPort(port: CnpPort, path: string, ctx: ValidationContext): void {
  const set = (["number", "range"] as const).filter((k) => port[k] !== undefined);
  if (set.length !== 1) {
    ctx.report("cnp/port-one-of", path, set.length === 0 ? "destinationPort is empty: set number or range" : "destinationPort sets both number and range: set exactly one");
  }
  if (port.number !== undefined) checkPortNumber(port.number, joinPath(path, "number"), ctx);
  if (port.range) checkRange(port.range.start, port.range.end, joinPath(path, "range"), ctx);
}

export function checkAnpPort(p: AnpPort, path: string, ctx: ValidationContext): void {
  const set = (["portNumber", "namedPort", "portRange"] as const).filter((k) => p[k] !== undefined);
  if (set.length !== 1) {
    ctx.report("cnp/port-one-of", path,
      set.length === 0 ? "the ports entry is empty: set exactly one of portNumber, namedPort or portRange" : `the ports entry sets ${set.join(" and ")}: set exactly one`);
  }
  for (const field of ["portNumber", "portRange"] as const) {
    const protocol = p[field]?.protocol;
    if (protocol !== undefined && !PROTOCOLS.includes(protocol)) {
      ctx.report("cnp/protocol", joinPath(joinPath(path, field), "protocol"), `protocol ${quote(protocol)} is not valid: use TCP, UDP or SCTP (case-sensitive)`);
    }
  }
  if (p.portNumber?.port !== undefined) checkPortNumber(p.portNumber.port, joinPath(joinPath(path, "portNumber"), "port"), ctx);
  if (p.portRange) checkRange(p.portRange.start, p.portRange.end, joinPath(path, "portRange"), ctx);
}

function checkPortNumber(n: number, path: string, ctx: ValidationContext): void {
  if (n < 1 || n > 65535) ctx.report("cnp/port-range", path, `port ${n} is out of range: use 1 to 65535`);
}

function checkRange(start: number | undefined, end: number | undefined, path: string, ctx: ValidationContext): void {
  if (start !== undefined) checkPortNumber(start, joinPath(path, "start"), ctx);
  if (end !== undefined) checkPortNumber(end, joinPath(path, "end"), ctx);
  if (start !== undefined && end !== undefined && start >= end) {
    ctx.report("cnp/port-range-order", path, `the range's start (${start}) must be less than its end (${end}); for one port use number`);
  }
}
