import { loadBundle } from "../../src/policy/index.js";
import type { Resource } from "../../src/policy/types.js";
import type { Finding, FindingSeverity, FlowVerdictSide, ImpactFlow, ImpactReport, ResourceChange, Review } from "../../src/review/types.js";

/**
 * Fixed Review objects for the renderers: clean, one of each severity, errors in every area (with hostile names),
 * no snapshot, and a huge one (5,000 newly denied flows, 2,000 findings) for folding, the graph cap and the splitter.
 * Everything is deterministic: no clock, no randomness.
 */
const np = (name: string, tier: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: "${name}"
  namespace: shop
spec:
  tier: ${tier}
  selector: app == 'web'
  types: [Ingress]
`;

export function resource(file: string, yaml: string): Resource {
  const bundle = loadBundle([{ file, text: yaml }]);
  if (bundle.resources.length !== 1) throw new Error(`fixture ${file}: ${JSON.stringify(bundle.diagnostics)}`);
  return bundle.resources[0];
}

const BASE = { rev: "main", commit: "0123456789abcdef0123456789abcdef01234567" };
const HEAD = { rev: "feature", commit: "fedcba9876543210fedcba9876543210fedcba98" };

export const allow = (tier: string, policy: string | undefined, rule: number | undefined, direction: "ingress" | "egress" = "ingress"): FlowVerdictSide => ({
  verdict: "allow",
  decidedBy: policy ? `${tier}|${policy}|allow|${rule ?? 0}` : "__PROFILE__|kns.shop|allow",
  tier,
  policy,
  rule,
  direction,
});

export const deny = (tier: string, policy: string | undefined, rule: number | undefined, direction: "ingress" | "egress" = "ingress"): FlowVerdictSide => ({
  verdict: "deny",
  decidedBy: `${tier}|${policy ?? "end"}|deny|${rule ?? -1}`,
  tier,
  policy,
  rule,
  direction,
});

export function flow(src: string, dst: string, port: number | undefined, flows: number, bytes: number, before: FlowVerdictSide, after: FlowVerdictSide, extra: Partial<ImpactFlow> = {}): ImpactFlow {
  return { src, dst, port, protocol: "tcp", records: Math.max(1, Math.ceil(flows / 2)), flows, bytes, before, after, ...extra };
}

export function impact(parts: Partial<ImpactReport> = {}): ImpactReport {
  return {
    sources: ["flows/snapshot.jsonl.gz"],
    newlyDenied: [],
    newlyAllowed: [],
    pendingChanged: [],
    zeroHitPolicies: [],
    totals: { records: 10_000, flows: 54_321, skippedLines: 0, problems: [], unresolved: { records: 0, reasons: {} }, uncertain: { records: 0 } },
    ...parts,
  };
}

export function review(parts: Partial<Review> = {}): Review {
  return { base: BASE, head: HEAD, author: "alice", configSource: "base", changes: [], findings: [], notes: [], ...parts };
}

export function finding(code: string, severity: FindingSeverity, message: string, extra: Partial<Finding> = {}): Finding {
  return { code, severity, message, file: "policies/app.yaml", line: 3, ...extra };
}

export const clean = review({ impact: impact() });

export const warningsOnly = review({ findings: [finding("lint/no-order", "warning", "spec.order is not set: the policy is evaluated last in its tier.", { col: 1 })], impact: impact() });

export const noticesOnly = review({ findings: [finding("lint/prefer-selector", "notice", "consider a selector.", { col: 1 })], impact: impact() });

export const noSnapshot = review({ notes: ["no flow snapshot configured: impact not replayed"] });

const tierChange: ResourceChange = {
  kind: "changed",
  base: resource("policies/web.yaml", np("web", "application")),
  head: resource("policies/web.yaml", np("web", "security")),
  meaningChanged: true,
  summary: "spec.tier changed from application to security",
};

const hostile: ResourceChange = {
  kind: "added",
  head: resource("policies/evil.yaml", np("@everyone", "application")),
  meaningChanged: true,
  summary: "added @everyone <script>alert(1)</script>",
};

/** Errors in every area, hostile text in names and messages, every impact list non-empty. */
export const errorsEverywhere = review({
  author: "mallory",
  changes: [tierChange, hostile],
  findings: [
    finding("validation/selector-unterminated-string", "error", "selector has an unterminated string", { file: "policies/web.yaml", line: 8, col: 13, path: "spec.selector", resource: "NetworkPolicy shop/web" }),
    finding("ownership/not-owner", "error", "NetworkPolicy shop/web (spec.tier changed from application to security) needs an owner of tier security; @mallory is not one. Approval from @acme/secops satisfies this.", {
      file: "policies/web.yaml",
      line: 7,
      col: 9,
      path: "spec.tier",
      resource: "NetworkPolicy shop/web",
      approvers: ["acme/secops"],
    }),
    finding("guardrail/shadowed-allow", "error", "rule allows what tier security denies | column | break", { file: "policies/web.yaml", line: 12, endLine: 15, path: "spec.ingress[0]", resource: "NetworkPolicy shop/web", details: ["security|gnp:deny-all|deny|-1", "see `kubectl` output"] }),
    finding("test/expectation-failed", "error", "expected shop/web -> shop/db:5432 to be denied, but it is allowed", { file: "tests/shop.yaml", line: 4 }),
    finding("lint/no-order", "warning", "policy <script>alert(1)</script> has no spec.order", { file: "policies/evil.yaml", line: 1, resource: "NetworkPolicy shop/@everyone" }),
    finding("impact/newly-denied", "warning", "3 flows allowed today would be denied", { file: "policies/web.yaml", line: 1 }),
    finding("config/unknown-field", "notice", "tierguard.yaml: unknown field `treshold`", { file: "tierguard.yaml", line: 2 }),
    finding("validation/removed-file", "warning", "a removed policy still referenced", { file: "policies/old.yaml", line: 9, revision: "base" }),
  ],
  impact: impact({
    newlyDenied: [
      flow("shop/frontend", "shop/cart", 7070, 1200, 5_000_000, allow("application", "NetworkPolicy shop/cart", 0), deny("security", "GlobalNetworkPolicy deny-all", -1)),
      flow("shop/checkout", "shop/payment", 50051, 40, 12_000, allow("application", "NetworkPolicy shop/payment", 1), deny("security", "GlobalNetworkPolicy deny-all", -1)),
      flow("@everyone", "<script>", 53, 7, 800, allow("default", undefined, undefined), deny("security", "GlobalNetworkPolicy a|b", 2), { uncertain: ["namespace labels of shop unknown"] }),
    ],
    newlyAllowed: [
      flow("internet", "shop/frontend", 8080, 300, 40_000, deny("security", "GlobalNetworkPolicy deny-all", -1), allow("application", "NetworkPolicy shop/frontend", 0)),
      flow("shop/web", "shop/db", 5432, 2, 100, deny("application", "NetworkPolicy shop/db", -1), allow("application", "NetworkPolicy shop/db", 3)),
    ],
    pendingChanged: [flow("shop/ads", "shop/cache", 6379, 10, 1_000, allow("application", "StagedNetworkPolicy shop/cache", 0), deny("application", "StagedNetworkPolicy shop/cache", -1))],
    zeroHitPolicies: ["NetworkPolicy shop/legacy", "NetworkPolicy shop/web rule 2"],
    totals: { records: 10_000, flows: 54_321, skippedLines: 2, problems: ["line 7: not JSON"], unresolved: { records: 3, reasons: { "pod not in inventory": 2, "unknown IP": 1 } }, uncertain: { records: 5 } },
  }),
  notes: ["ownership is judged on spec.tier in both revisions"],
});

const AREA_CODES = ["validation/bad-field", "ownership/not-owner", "guardrail/shadowed-allow", "test/expectation-failed", "lint/no-order", "impact/newly-denied"];
const SEVERITIES: FindingSeverity[] = ["error", "warning", "notice"];

/** `F0042X`: a token that occurs exactly once per finding in any rendering, to count findings across parts. */
export const token = (i: number) => `F${String(i).padStart(4, "0")}X`;

function hugeFlows(n: number, port: number, before: (i: number) => FlowVerdictSide, after: (i: number) => FlowVerdictSide): ImpactFlow[] {
  return Array.from({ length: n }, (_, i) => flow(`ns${i % 37}/client-${i % 101}`, `ns${(i * 7) % 41}/svc-${i % 89}`, port + (i % 5), n - i, (n - i) * 1500, before(i), after(i)));
}

export const HUGE_FINDINGS = 2000;
export const HUGE_DENIED = 5000;

/** An acknowledged change that only breaks traffic. */
export const acknowledged = review({
  impact: impact({ newlyDenied: [flow("shop/a", "shop/b", 80, 5, 500, allow("application", "NetworkPolicy shop/b", 0), deny("security", "GlobalNetworkPolicy deny-all", -1))] }),
  impactAcknowledged: { by: "bob" },
});

export const huge = review({
  changes: [tierChange, hostile],
  findings: Array.from({ length: HUGE_FINDINGS }, (_, i) =>
    finding(AREA_CODES[i % AREA_CODES.length], SEVERITIES[Math.floor(i / AREA_CODES.length) % 3], `finding ${token(i)}: something about policy number ${i} that a reviewer should read | with a pipe`, {
      file: `policies/file-${i % 50}.yaml`,
      line: 1 + (i % 300),
      col: 1 + (i % 7),
      resource: `NetworkPolicy ns${i % 13}/policy-${i}`,
      path: `spec.ingress[${i % 4}]`,
      ...(i % 97 === 0 ? { details: [`trace for ${i}`, "second line"] } : {}),
    }),
  ),
  impact: impact({
    newlyDenied: hugeFlows(HUGE_DENIED, 8000, (i) => allow("application", `NetworkPolicy ns${i % 41}/allow-${i % 9}`, i % 3), () => deny("security", "GlobalNetworkPolicy deny-all", -1)),
    newlyAllowed: hugeFlows(300, 9000, () => deny("security", "GlobalNetworkPolicy deny-all", -1), (i) => allow("platform", `GlobalNetworkPolicy open-${i % 4}`, 0)),
    pendingChanged: hugeFlows(120, 7000, (i) => allow("application", `StagedNetworkPolicy ns${i % 5}/staged`, 0), () => deny("application", "StagedNetworkPolicy ns1/staged", -1)),
    zeroHitPolicies: Array.from({ length: 40 }, (_, i) => `NetworkPolicy ns${i}/unused`),
  }),
  notes: ["a huge review"],
});
