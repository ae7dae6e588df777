import { joinPath } from "../../contracts/index.js";
import { closest } from "../schema.js";
import type { IcmpFields, Rule } from "../types.js";
import type { RuleSite, ValidationContext } from "./context.js";
import { hint, quote, sidePath } from "./context.js";
import { checkPortList } from "./ports.js";
import { checkProtocolValue, PORT_PROTOCOLS } from "./protocol.js";

/**
 * One rule's own fields: action, protocol and notProtocol, ports against the protocol, ICMP and ipVersion
 * (calico-semantics §12 "Rule"; validator.go validateRule, validateICMPFields and the CEL rules on Rule).
 * Ports without a protocol differ by version: 3.32 and later allow named ports there, 3.31 rejects any port.
 */
const ACTIONS = ["Allow", "Deny", "Log", "Pass"];
const ICMP = 1;
const ICMPV6 = 58;

export function checkRule(site: RuleSite, rule: Rule, ctx: ValidationContext): void {
  checkAction(site, rule.action, ctx);
  const protocol = protocolNumber(site, "protocol", rule.protocol, ctx);
  const notProtocol = protocolNumber(site, "notProtocol", rule.notProtocol, ctx);
  checkPorts(site, rule, protocol, ctx);
  checkIpVersion(site, rule.ipVersion, ctx);
  checkIcmpFields(joinPath(site.path, "icmp"), rule.icmp, ctx);
  checkIcmpFields(joinPath(site.path, "notICMP"), rule.notICMP, ctx);
  if (rule.icmp && protocol !== ICMP && protocol !== ICMPV6 && protocol !== "invalid") {
    ctx.report("rule/icmp-needs-protocol", joinPath(site.path, "icmp"),
      "icmp matches only ICMP traffic; set protocol: ICMP (IPv4) or protocol: ICMPv6 (IPv6) on this rule", { at: "key" });
  }
  checkIcmpIpVersion(site, rule, protocol, "protocol", ctx);
  checkIcmpIpVersion(site, rule, notProtocol, "notProtocol", ctx);
}

function checkAction(site: RuleSite, action: string | undefined, ctx: ValidationContext): void {
  const path = joinPath(site.path, "action");
  if (action === undefined) {
    ctx.report("rule/action-missing", site.path, `every rule needs an action; add action: Allow, Deny, Log or Pass`);
    return;
  }
  if (ACTIONS.includes(action)) return;
  const guess = closest(action, ACTIONS);
  if (guess && guess.toLowerCase() === action.toLowerCase()) {
    ctx.report("rule/action-case", path, `action ${quote(action)} is not valid: actions are case-sensitive; write ${quote(guess)}`);
    return;
  }
  ctx.report("rule/action-invalid", path, `action ${quote(action)} is not valid: use Allow, Deny, Log or Pass${hint(guess)}`);
}

/** The protocol's number, undefined when the field is absent, or "invalid" after reporting why. */
function protocolNumber(
  site: RuleSite,
  field: "protocol" | "notProtocol",
  value: number | string | undefined,
  ctx: ValidationContext,
): number | "invalid" | undefined {
  if (value === undefined) return undefined;
  const result = checkProtocolValue(field, value);
  if (result.ok) return result.number;
  ctx.report(`rule/${result.code}`, joinPath(site.path, field), result.message);
  // A wrongly cased name is reported once, then checked as the protocol it names.
  return result.number ?? "invalid";
}

function checkPorts(site: RuleSite, rule: Rule, protocol: number | "invalid" | undefined, ctx: ValidationContext): void {
  for (const side of ["source", "destination"] as const) {
    for (const field of ["ports", "notPorts"] as const) {
      const ports = rule[side]?.[field];
      if (!ports || ports.length === 0) continue;
      const path = sidePath(site, side, field);
      const summary = checkPortList(ports, path, ctx);
      if (protocol === "invalid") continue;
      if (protocol === undefined) {
        if (summary.numeric) {
          ctx.report("rule/ports-need-protocol", path,
            `${field} with port numbers need the rule to set protocol: TCP, UDP or SCTP; add the protocol`, { at: "key" });
        } else if (summary.named && ctx.version.model === "v3.31") {
          ctx.report("rule/ports-need-protocol", path,
            `Calico ${ctx.version.text} rejects ${field} on a rule without a protocol, even named ports ` +
              "(3.32 and later allow named ports there); add protocol: TCP, UDP or SCTP", { at: "key" });
        }
      } else if (!PORT_PROTOCOLS.has(protocol)) {
        ctx.report("rule/ports-protocol", path,
          `${field} need protocol TCP, UDP or SCTP, but this rule's protocol ${quote(rule.protocol)} has no ports; ` +
            `remove the ${field} or change the protocol`, { at: "key" });
      }
    }
  }
}

function checkIpVersion(site: RuleSite, ipVersion: number | undefined, ctx: ValidationContext): void {
  if (ipVersion === undefined || ipVersion === 4 || ipVersion === 6) return;
  ctx.report("rule/ip-version", joinPath(site.path, "ipVersion"),
    `ipVersion ${ipVersion} is not valid: use 4 or 6, or leave it out to match both`);
}

function checkIcmpFields(path: string, icmp: IcmpFields | undefined, ctx: ValidationContext): void {
  if (!icmp) return;
  if (icmp.type !== undefined && (icmp.type < 0 || icmp.type > 254)) {
    ctx.report("rule/icmp-type-range", joinPath(path, "type"), `ICMP type ${icmp.type} is out of range: use 0 to 254`);
  }
  if (icmp.code !== undefined && (icmp.code < 0 || icmp.code > 255)) {
    ctx.report("rule/icmp-code-range", joinPath(path, "code"), `ICMP code ${icmp.code} is out of range: use 0 to 255`);
  }
  if (icmp.code !== undefined && icmp.type === undefined) {
    ctx.report("rule/icmp-code-without-type", joinPath(path, "code"),
      "an ICMP code needs an ICMP type (the kernel cannot match a code alone); add type, for example type: 3 with code: 1",
      { at: "key" });
  }
}

function checkIcmpIpVersion(
  site: RuleSite,
  rule: Rule,
  protocol: number | "invalid" | undefined,
  field: "protocol" | "notProtocol",
  ctx: ValidationContext,
): void {
  if (rule.ipVersion === undefined || (rule.ipVersion !== 4 && rule.ipVersion !== 6)) return;
  const needed = protocol === ICMP ? 4 : protocol === ICMPV6 ? 6 : undefined;
  if (needed === undefined || rule.ipVersion === needed) return;
  const name = protocol === ICMP ? "ICMP" : "ICMPv6";
  ctx.report("rule/icmp-ip-version", joinPath(site.path, "ipVersion"),
    `${field} ${name} is IPv${needed} only, but the rule sets ipVersion: ${rule.ipVersion}; set ipVersion: ${needed} ` +
      `or use ${name === "ICMP" ? "ICMPv6" : "ICMP"}`);
}
