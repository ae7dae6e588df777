import { describe, expect, test } from "@jest/globals";
import { renderReviewComment, renderReviewText, reviewJson } from "../../src/report/review/index.js";
import type { ConnectivityChange } from "../../src/review/index.js";
import type { Review } from "../../src/review/types.js";
import { allow, deny, noSnapshot } from "./fixtures.js";

/** The connectivity diff in the PR comment (folded, unexercised only), the terminal and the JSON (every entry, exact keys). */
function change(i: number, exercised = false): ConnectivityChange {
  return {
    source: i === 0 ? { kind: "anywhere", network: "0.0.0.0/0", name: "anywhere outside the cluster" } : { kind: "workload", namespace: "shop", labels: { app: `a${i}` }, name: `shop/{app=a${i}}` },
    destination: { kind: "namespace", namespace: "shop", name: "namespace shop" },
    protocol: "TCP",
    ports: [String(5000 + i)],
    exercised,
    before: deny("default", "KubernetesNetworkPolicy shop/default-deny", -1),
    after: allow("default", "GlobalNetworkPolicy open-shop", 0),
    mode: "enforced",
    breadth: 100 - i,
  };
}

const review: Review = { ...noSnapshot, connectivity: { newlyReachable: [...Array.from({ length: 20 }, (_, i) => change(i)), change(20, true)], newlyUnreachable: [], stats: { endpointClasses: 3, changedClasses: 1, portClasses: 2, evaluations: 4 } } };

describe("connectivity diff rendering", () => {
  test("the comment: a section with the broadest change in its summary, the table folded, exercised changes left to the replay", () => {
    const md = renderReviewComment(review);
    expect(md).toContain("#### Exposure no recorded flow has shown yet\n20 connection classes become reachable that no recorded flow exercised. The broadest: anywhere outside the cluster → namespace shop, TCP 5000.");
    expect(md).toContain("<details><summary>Show the 20 newly reachable connection classes</summary>");
    expect(md).toContain("| 1 | anywhere outside the cluster → namespace shop, TCP 5000 | deny · tier default · KubernetesNetworkPolicy shop/default-deny · end of tier (ingress) | allow · tier default · GlobalNetworkPolicy open-shop · rule 0 (ingress) |");
    expect(md).not.toContain("TCP 5020");
    expect(md).not.toContain("Connectivity removed");
  });

  test("the terminal lists every unexercised change", () => {
    const text = renderReviewText(review);
    expect(text).toContain("Newly reachable (connectivity diff): 20 connection classes no recorded flow exercised\n  1. anywhere outside the cluster → namespace shop, TCP 5000: before deny");
    expect(text).not.toContain("TCP 5020");
  });

  test("JSON: every entry, exercised ones included, with exactly the documented keys", () => {
    const json = reviewJson(review).connectivity;
    expect(json.newlyReachable).toHaveLength(21);
    expect(Object.keys(json.newlyReachable[0])).toEqual(["source", "destination", "protocol", "ports", "exercised", "before", "after", "mode"]);
    expect(json.newlyReachable[0].source).toEqual({ kind: "anywhere", name: "anywhere outside the cluster", network: "0.0.0.0/0" });
    expect(json.newlyReachable[20].exercised).toBe(true);
    expect(json.newlyUnreachable).toEqual([]);
  });
});
