import { joinPath } from "../../contracts/index.js";
import type { Rule } from "../types.js";
import type { RuleSite, ValidationContext } from "./context.js";
import { quote, sidePath } from "./context.js";
import { parseNet, type ParsedNet } from "./cidr.js";

/**
 * Rule nets and notNets (calico-semantics §12 "Nets"; validator.go validateRule scanNets and the `net` tag):
 * every entry a CIDR or bare IP with no host bits set, one address family per rule, agreeing with ipVersion, no
 * catch-all in notNets. Network sets use `checkSetNets`, where host bits are allowed. The 256-entry limit is Calico
 * 3.33's (limits-333.ts).
 */

const FIELDS = [
  ["source", "nets"],
  ["source", "notNets"],
  ["destination", "nets"],
  ["destination", "notNets"],
] as const;

export function checkRuleNets(site: RuleSite, rule: Rule, ctx: ValidationContext): void {
  let seen4 = false;
  let seen6 = false;
  for (const [side, field] of FIELDS) {
    const nets = rule[side]?.[field];
    if (!nets || nets.length === 0) continue;
    const path = sidePath(site, side, field);
    const { v4, v6 } = checkEntries(nets, path, field === "notNets", ctx);
    const ipVersion = rule.ipVersion;
    if ((ipVersion === 4 && v6) || (ipVersion === 6 && v4)) {
      ctx.report("net/ip-version-mismatch", path,
        `${field} holds IPv${ipVersion === 4 ? 6 : 4} CIDRs but the rule sets ipVersion: ${ipVersion}; ` +
          "change ipVersion or split the rule per address family", { at: "key" });
    }
    if ((v4 && v6) || (v4 && seen6) || (v6 && seen4)) {
      ctx.report("net/mixed-families", path,
        "this rule would match both IPv4 and IPv6 CIDRs, which Calico rejects; put the IPv4 and IPv6 CIDRs in " +
          "separate rules", { at: "key" });
    }
    seen4 ||= v4;
    seen6 ||= v6;
  }
}

function checkEntries(nets: readonly string[], path: string, negated: boolean, ctx: ValidationContext): { v4: boolean; v6: boolean } {
  const out = { v4: false, v6: false };
  nets.forEach((text, i) => {
    const entryPath = joinPath(path, i);
    const net = parseNet(text, { allowBare: true });
    if (!net) {
      ctx.report("net/invalid", entryPath, `${quote(text)} is not a CIDR or IP address; write it as 10.0.0.0/8 or fd00::/8`);
      return;
    }
    if (net.version === 4) out.v4 = true;
    else out.v6 = true;
    if (net.hostBits) {
      ctx.report("net/host-bits", entryPath,
        `${quote(text)} has host bits set beyond its /${net.prefix} prefix; rule nets must be the network address ` +
          `— write ${quote(masked(net))}`);
    }
    if (negated && net.prefix === 0) {
      ctx.report("net/catch-all-negation", entryPath,
        `notNets ${quote(text)} excludes every address, so the rule can never match; remove it (to match nothing ` +
          "on purpose, delete the rule)");
    }
  });
  return out;
}

/** Network-set nets: a CIDR or IP, host bits allowed. */
export function checkSetNets(nets: readonly string[] | undefined, path: string, ctx: ValidationContext): void {
  if (!nets) return;
  nets.forEach((text, i) => {
    if (parseNet(text, { allowBare: true })) return;
    ctx.report("net/invalid", joinPath(path, i), `${quote(text)} is not a CIDR or IP address; write it as 10.0.0.0/8 or fd00::/8`);
  });
}

/** The network address of a CIDR with host bits, for the fix in a message. */
function masked(net: ParsedNet): string {
  const hostBits = BigInt((net.version === 4 ? 32 : 128) - net.prefix);
  return `${formatAddress((net.address >> hostBits) << hostBits, net.version)}/${net.prefix}`;
}

function formatAddress(value: bigint, version: 4 | 6): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // Compress the longest run of two or more zero groups, as RFC 5952 does.
  let best = 0;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestLength < 2) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLength))}`;
}
