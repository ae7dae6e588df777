import type { Resource } from "../types.js";
import type { ValidationContext } from "./context.js";
import { isCalicoPolicy, quote } from "./context.js";
import {
  dns1123LabelProblem,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  GLOBAL_POLICY_NAME,
  MAX_LABEL_LENGTH,
  MAX_SUBDOMAIN_LENGTH,
  NETWORK_POLICY_NAME,
} from "./syntax.js";

/**
 * metadata.name (and namespace) syntax per kind, and the v3.31 tier-prefix rule.
 * calico-semantics §12 "Names" (validator.go validateObjectMeta, validateNetworkPolicy, validateGlobalNetworkPolicy,
 * validateTier) and §9 (names.ValidateTieredPolicyName in v3.31).
 */
const NAME = "metadata.name";

/** Names exempt from the v3.31 prefix rule: the ones Calico itself generates. */
const GENERATED_PREFIXES = ["knp.default.", "kanp.adminnetworkpolicy.", "kbanp.baselineadminnetworkpolicy.", "ossg."];

export function checkNames(resource: Resource, ctx: ValidationContext): void {
  const name = resource.metadata.name;
  if (name === undefined) return;
  const limit = resource.kind === "Tier" ? MAX_LABEL_LENGTH : MAX_SUBDOMAIN_LENGTH;
  const tooLong = name.length > limit;
  if (tooLong) {
    ctx.report("names/too-long", NAME,
      `name is ${name.length} characters, ${name.length - limit} over the limit of ${limit} for a ${resource.kind}; shorten it`);
  }
  // No rewritten name is suggested for one that is too long anyway: the hint would cost work for nothing.
  const problem = nameFormatProblem(resource.kind, name, !tooLong);
  if (problem) ctx.report("names/invalid", NAME, `name ${quote(name)} is not valid: ${problem}`);
  checkNamespace(resource, ctx);
  checkTierPrefix(resource, ctx);
}

function nameFormatProblem(kind: Resource["kind"], name: string, hint: boolean): string | undefined {
  const suggestion = (): string => (hint ? suggestionFor(name) : "");
  switch (kind) {
    case "Tier":
      return DNS1123_LABEL.test(name)
        ? undefined
        : "a Tier name must be lower-case letters, digits and '-' with no dots (it becomes part of policy names)" +
            (hint ? `; try ${quote(suggest(name).replaceAll(".", "-"))}` : "");
    case "NetworkPolicy":
    case "StagedNetworkPolicy":
      return NETWORK_POLICY_NAME.test(name)
        ? undefined
        : "a namespaced Calico policy name is lower-case letters, digits and '-', with at most one dot " +
            `(as in "tier.name")${suggestion()}`;
    case "GlobalNetworkPolicy":
    case "StagedGlobalNetworkPolicy":
      if (name.startsWith("knp.default.")) {
        return "the knp.default. prefix is reserved for converted Kubernetes policies and a global policy name " +
          "may contain at most one dot; drop the prefix";
      }
      return GLOBAL_POLICY_NAME.test(name)
        ? undefined
        : `a global Calico policy name is lower-case letters, digits and '-', with at most one dot${suggestion()}`;
    default:
      return DNS1123_SUBDOMAIN.test(name)
        ? undefined
        : "a name is lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a " +
            `letter or digit${suggestion()}`;
  }
}

/** Lower-cased, other characters made '-', then '-' and '.' trimmed from both ends (a scan: see trimDashesAndDots). */
function suggest(name: string): string {
  return trimDashesAndDots(name.toLowerCase().replace(/[^-a-z0-9.]/g, "-"));
}

/**
 * `/^[-.]+|[-.]+$/g` took time quadratic in a run of '-' (each start in the run scans to its end): 48 s for one
 * 320,000-character name. Two index scans are linear.
 */
function trimDashesAndDots(text: string): string {
  const trimmable = (c: string) => c === "-" || c === ".";
  let start = 0;
  let end = text.length;
  while (start < end && trimmable(text[start])) start++;
  while (end > start && trimmable(text[end - 1])) end--;
  return text.slice(start, end);
}

function suggestionFor(name: string): string {
  const s = suggest(name);
  return s !== "" && s !== name ? `; try ${quote(s)}` : "";
}

function checkNamespace(resource: Resource, ctx: ValidationContext): void {
  const ns = resource.metadata.namespace;
  if (ns === undefined || resource.namespaceDefaulted) return;
  const problem = dns1123LabelProblem(ns);
  if (problem) ctx.report("names/invalid-namespace", "metadata.namespace", `namespace ${quote(ns)} ${problem}`);
}

/**
 * Calico 3.31 and earlier require `<tier>.<name>` outside the default tier (and allow only `name` or
 * `default.name` inside it). From 3.32 the rule is gone. tierguard accepts both forms under both versions and warns
 * where the chosen version would reject the name.
 */
function checkTierPrefix(resource: Resource, ctx: ValidationContext): void {
  if (ctx.version.model !== "v3.31" || !isCalicoPolicy(resource)) return;
  const name = resource.metadata.name!;
  if (GENERATED_PREFIXES.some((p) => name.startsWith(p))) return;
  const tier = resource.spec.tier || "default";
  const dotted = name.includes(".");
  if ((!dotted && tier === "default") || (dotted && name.startsWith(`${tier}.`))) return;
  const bare = dotted ? name.slice(name.indexOf(".") + 1) : name;
  const fix = tier === "default" ? `${quote(bare)} or ${quote(`default.${bare}`)}` : quote(`${tier}.${bare}`);
  ctx.report("names/tier-prefix", NAME,
    `Calico ${ctx.version.text} rejects the name ${quote(name)} for a policy in tier ${quote(tier)}: up to 3.31 a ` +
      `policy name must start with its tier and a dot; rename it to ${fix} (Calico 3.32 and later accept either form)`,
    { severity: "warning" });
}
