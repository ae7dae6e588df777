import { describe, expect, test } from "@jest/globals";
import { renderReviewComment, reviewJson } from "../../src/report/review/index.js";
import { connectivityDiff, connectivityFindings, type ConnectivityChange } from "../../src/review/connectivity/index.js";
import type { Review } from "../../src/review/types.js";
import { noSnapshot } from "../report/fixtures.js";
import { reviewContext } from "../helpers/review.js";
import { DENY_SHOP, INVENTORY, SHOP_TO_INTERNET } from "./connectivity-fixtures.js";

/**
 * Pending verdicts in the connectivity diff: a staged policy decides nothing yet, but the diff says what it would
 * open or close once enforced (entries with `mode: "pending"`), and only where that differs from the enforced change.
 */
const brief = (c: ConnectivityChange) => `${c.mode}: ${c.source.name} -> ${c.destination.name} ${c.protocol} ${c.ports.join(",")}`;
const STAGED_OPEN = SHOP_TO_INTERNET.replace("kind: GlobalNetworkPolicy", "kind: StagedGlobalNetworkPolicy");
const STAGED_DENY = DENY_SHOP.replace("networking.k8s.io/v1\nkind: NetworkPolicy", "projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy");
const KNP_DENY_END = "default|knp:shop/default-deny|deny|-1";

describe("connectivity diff: pending (staged) verdicts", () => {
  test("a StagedGlobalNetworkPolicy that would open namespace shop to the internet: pending entries only, no finding, its own section", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "open.yaml": STAGED_OPEN }, inventory: INVENTORY });
    const report = connectivityDiff(ctx);
    expect(report.newlyReachable.map(brief)).toEqual([
      "pending: anywhere outside the cluster -> namespace shop TCP 5432",
      "pending: namespace shop -> namespace shop TCP 5432",
      "pending: namespace other -> namespace shop TCP 5432",
    ]);
    expect(report.newlyReachable[0].before).toMatchObject({ verdict: "deny", decidedBy: KNP_DENY_END });
    expect(report.newlyReachable[0].after).toEqual({ verdict: "allow", decidedBy: "default|sgnp:open-shop|allow|0", tier: "default", policy: "StagedGlobalNetworkPolicy open-shop", rule: 0, direction: "ingress" });
    expect(report.newlyUnreachable).toEqual([]);
    expect(connectivityFindings(report, ctx)).toEqual([]);
    const review: Review = { ...noSnapshot, connectivity: report };
    const json = reviewJson(review).connectivity.newlyReachable[0];
    expect(Object.keys(json)).toEqual(["source", "destination", "protocol", "ports", "exercised", "before", "after", "mode"]);
    expect(json.mode).toBe("pending");
    const md = renderReviewComment(review);
    expect(md).toContain("#### What staged policies would change (pending verdict)\nOnce staged policies are enforced, 3 connection classes would change that no recorded flow exercised. The broadest: anywhere outside the cluster → namespace shop, TCP 5432 (it opens).");
    expect(md).not.toContain("Exposure no recorded flow has shown yet");
  });

  test("a StagedKubernetesNetworkPolicy default deny would close namespace shop: pending newly unreachable, decided by the staged policy's end of tier", () => {
    const ctx = reviewContext({ base: {}, head: { "deny.yaml": STAGED_DENY }, inventory: INVENTORY });
    const report = connectivityDiff(ctx);
    expect(report.newlyReachable).toEqual([]);
    expect(report.newlyUnreachable.map(brief)).toEqual([
      "pending: anywhere outside the cluster -> namespace shop any 1:65535",
      "pending: namespace shop -> namespace shop any 1:65535",
      "pending: namespace other -> namespace shop any 1:65535",
    ]);
    expect(report.newlyUnreachable.map((c) => c.after.decidedBy)).toEqual(Array(3).fill("default|sknp:shop/default-deny|deny|-1"));
  });

  test("an enforced change the pending verdict only repeats is reported once, as enforced", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP }, head: { "deny.yaml": DENY_SHOP, "open.yaml": SHOP_TO_INTERNET }, inventory: INVENTORY });
    const report = connectivityDiff(ctx);
    expect(report.newlyReachable.map(brief)).toEqual([
      "enforced: anywhere outside the cluster -> namespace shop TCP 5432",
      "enforced: namespace shop -> namespace shop TCP 5432",
      "enforced: namespace other -> namespace shop TCP 5432",
    ]);
  });

  test("promoting the staged policy: the enforced verdict opens what the pending verdict already allowed, so only the enforced change is news", () => {
    const ctx = reviewContext({ base: { "deny.yaml": DENY_SHOP, "open.yaml": STAGED_OPEN }, head: { "deny.yaml": DENY_SHOP, "open.yaml": SHOP_TO_INTERNET }, inventory: INVENTORY });
    const report = connectivityDiff(ctx);
    expect(report.newlyReachable.map(brief)).toEqual([
      "enforced: anywhere outside the cluster -> namespace shop TCP 5432",
      "enforced: namespace shop -> namespace shop TCP 5432",
      "enforced: namespace other -> namespace shop TCP 5432",
    ]);
    expect(report.newlyUnreachable).toEqual([]);
  });
});
