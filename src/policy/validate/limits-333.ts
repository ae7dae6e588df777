import { joinPath } from "../../contracts/index.js";
import { isCalicoPolicy, type EntityRule, type Resource } from "../types.js";
import { CALICO_333, calicoMinor } from "../version.js";
import type { ValidationContext } from "./context.js";

/**
 * The size limits Calico 3.33 added to the v3 policy CRDs as schema (`+kubebuilder:validation:MaxItems` and
 * `MaxLength` in api/pkg/apis/projectcalico/v3/{networkpolicy,globalnetworkpolicy,staged*,policy_common}.go on
 * release-v3.33; none of them is in v3.32.1's CRDs or Go validator, so 3.32 and earlier accept any size):
 * - `ingress` and `egress`: at most 1024 rules each, in every Calico policy kind (staged ones too);
 * - a rule's `nets` and `notNets`: at most 256 entries; `ports` and `notPorts`: at most 50 entries, on both sides;
 * - selectors: at most 1024 characters for the policy's `selector`, `serviceAccountSelector` and
 *   `namespaceSelector`, and a rule side's `selector`, `notSelector` and `namespaceSelector`
 *   (`serviceAccounts.selector` has no limit). The API server counts characters (code points), not UTF-16 units.
 * The schema applies whatever `stagedAction` says, so a staged Delete is held to it too.
 * The rest of 3.33's CEL rules (ICMP against protocol and ipVersion, services against other match fields, global(),
 * the built-in tiers' order and default action) carry checks Calico 3.32 already made in Go; they live in rule.ts,
 * services-http.ts, selectors.ts and tier.ts and apply to both.
 */
export const MAX_RULES = 1024;
export const MAX_NETS = 256;
export const MAX_PORTS = 50;
export const MAX_SELECTOR_LENGTH = 1024;

export function checkLimits333(resource: Resource, ctx: ValidationContext): void {
  if (!isCalicoPolicy(resource) || calicoMinor(ctx.version) < CALICO_333) return;
  const spec = resource.spec;
  for (const field of ["selector", "serviceAccountSelector", "namespaceSelector"] as const) {
    checkSelectorLength(spec[field], joinPath("spec", field), ctx);
  }
  for (const direction of ["ingress", "egress"] as const) {
    const rules = spec[direction];
    if (!rules) continue;
    const path = joinPath("spec", direction);
    if (rules.length > MAX_RULES) {
      ctx.report("policy/too-many-rules", path,
        `${rules.length} ${direction} rules; Calico ${ctx.version.text} allows at most ${MAX_RULES} per direction. ` +
          "Split the policy", { at: "key" });
    }
    rules.forEach((rule, i) => {
      for (const side of ["source", "destination"] as const) {
        const entity = rule[side];
        if (entity) checkEntity(entity, joinPath(joinPath(path, i), side), ctx);
      }
    });
  }
}

function checkEntity(entity: EntityRule, path: string, ctx: ValidationContext): void {
  for (const field of ["nets", "notNets"] as const) {
    const nets = entity[field];
    if (!nets || nets.length <= MAX_NETS) continue;
    ctx.report("net/too-many", joinPath(path, field),
      `${nets.length} CIDRs in one list; Calico ${ctx.version.text} allows at most ${MAX_NETS}. Move them into a ` +
        "NetworkSet or GlobalNetworkSet and select it", { at: "key" });
  }
  for (const field of ["ports", "notPorts"] as const) {
    const ports = entity[field];
    if (!ports || ports.length <= MAX_PORTS) continue;
    ctx.report("port/too-many", joinPath(path, field),
      `${ports.length} ports in one list; Calico ${ctx.version.text} allows at most ${MAX_PORTS}. Merge adjacent ` +
        'ports into "lo:hi" ranges or split the rule', { at: "key" });
  }
  for (const field of ["selector", "notSelector", "namespaceSelector"] as const) {
    checkSelectorLength(entity[field], joinPath(path, field), ctx);
  }
}

function checkSelectorLength(text: string | undefined, path: string, ctx: ValidationContext): void {
  // A string of at most 1024 UTF-16 units has at most 1024 code points: count only the long ones.
  if (text === undefined || text.length <= MAX_SELECTOR_LENGTH) return;
  const length = codePoints(text);
  if (length <= MAX_SELECTOR_LENGTH) return;
  ctx.report("selector/too-long", path,
    `selector is ${length} characters; Calico ${ctx.version.text} allows at most ${MAX_SELECTOR_LENGTH}. Split the ` +
      "policy or select on a shared label instead of listing values");
}

function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}
