import { describe, expect, test } from "@jest/globals";
import { evaluateFlow, EngineUniverse, PolicySet, TCP, workloadEndpoint, type CompiledPolicy } from "../../src/engine/index.js";
import { DEFAULT_LOAD_LIMITS } from "../../src/policy/index.js";
import { defaultConfig } from "../../src/review/config.js";
import { prepareReview, type RevisionFiles } from "../../src/review/prepare.js";

/**
 * Both revisions of a review are compiled from one parse cache: a policy in a file the pull request did not touch is
 * compiled once and shared by the base and head sets (each set keeps its own copy of the policy, with its own place
 * in the order); a changed one is compiled per revision. The head set decides flows as a set compiled on its own.
 */
const policy = (name: string, order: number, port: number) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  tier: default
  order: ${order}
  selector: app == '${name}'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      destination: { ports: [${port}] }
`;

// Enough unchanged policies that compiling them twice would be the review's fixed cost.
const unchanged = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p/app-${i}.yaml`, policy(`app-${i}`, 10 + i, 8000 + i)]));

function revision(commit: string, files: Record<string, string>): RevisionFiles {
  // The blob id stands for the content, as git's does.
  return { commit, policyFiles: Object.entries(files).map(([file, text]) => ({ file, text, blob: `${text.length}:${text}` })), testFiles: [] };
}

const byName = (ps: readonly CompiledPolicy[], name: string) => ps.find((p) => p.ref.name === name)!;

describe("prepareReview", () => {
  const base = revision("b", { ...unchanged, "p/web.yaml": policy("web", 5, 8080) });
  const head = revision("h", { ...unchanged, "p/web.yaml": policy("web", 60, 9090) });
  const { ctx } = prepareReview(base, head, defaultConfig(), DEFAULT_LOAD_LIMITS);

  test("an unchanged policy is compiled once for both revisions; a changed one per revision", () => {
    const b = byName(ctx.base.set.policies, "app-3");
    const h = byName(ctx.head.set.policies, "app-3");
    expect(h.ingress).toBe(b.ingress);
    expect(h.selector).toBe(b.selector);
    expect(byName(ctx.head.set.policies, "web").ingress).not.toBe(byName(ctx.base.set.policies, "web").ingress);
    // Each set orders its own copies: web moved from first to last.
    expect(byName(ctx.base.set.policies, "web").seq).toBe(0);
    expect(byName(ctx.head.set.policies, "web").seq).toBe(40);
    expect(h.seq).toBe(b.seq - 1);
  });

  test("the head set decides flows as a set compiled on its own", () => {
    const alone = new PolicySet(ctx.head.resources, { universe: new EngineUniverse() });
    const verdicts = (set: PolicySet, universe: EngineUniverse) =>
      ["web", "app-3", "app-39"].flatMap((app) =>
        [8080, 9090, 8003, 8039].map((dstPort) => {
          const pod = (name: string, labels: Record<string, string>) =>
            workloadEndpoint({ namespace: "shop", name, podLabels: labels, serviceAccount: "default", serviceAccountLabels: {}, namespaceLabels: {} }, universe.labels);
          const e = evaluateFlow(set, { src: pod("client", { app: "client" }), dst: pod(app, { app }), protocol: TCP, dstPort }).ingress!;
          return `${app}:${dstPort}:${e.enforced.verdict}`;
        }),
      );
    expect(verdicts(ctx.head.set, ctx.universe)).toEqual(verdicts(alone, alone.universe));
    expect(verdicts(ctx.head.set, ctx.universe)).toContain("web:9090:allow");
    expect(verdicts(ctx.head.set, ctx.universe)).toContain("web:8080:deny");
  });
});
