import { describe, expect, test } from "@jest/globals";
import { harness } from "../helpers/engine.js";

/**
 * Tier ordering and the tier walk: calico-semantics §4.3 (TierLess), §4.4 (endpointIptablesChain / checkTiers),
 * §4.5 (defaultAction), §9 (built-in tiers), §13 items 3, 4 and 7.
 */

/** A GNP in `tier` whose only ingress rule passes everything: the trace then lists every tier it visits, in order. */
const passer = (tier: string) => `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: pass-${tier} }
spec:
  tier: ${tier}
  ingress: [{ action: Pass }]
`;
const tier = (name: string, spec = "{}") => `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: ${name} }
spec: ${spec}
`;
const docs = (...parts: string[]) => parts.join("\n---\n");

describe("tier ordering (§4.3 TierLess)", () => {
  const h = harness(
    docs(
      tier("b", "{ order: 100 }"),
      tier("a", "{ order: 100 }"),
      tier("c", "{ order: 50 }"),
      tier("platform", "{ order: 2000 }"),
      tier("z"),
      tier("y"),
      ...["a", "b", "c", "platform", "y", "z"].map(passer),
    ),
  );
  const web = h.pod("shop", { app: "web" });
  const api = h.pod("shop", { app: "api" });

  test("by order ascending, equal orders by name, unordered tiers last (by name); built-in tiers interleave by order", () => {
    expect(h.tiers()).toEqual([
      "c|50|Deny",
      "a|100|Deny",
      "b|100|Deny",
      "calico-system|100|Deny",
      "kube-admin|1000|Pass",
      "platform|2000|Deny",
      "default|1000000|Deny",
      "kube-baseline|10000000|Pass",
      "y|-|Deny",
      "z|-|Deny",
    ]);
  });

  test("the walk visits applicable tiers in that order, skipping tiers with no policy for the endpoint (§4.4)", () => {
    expect(h.trace(api, web)).toEqual({
      verdict: "allow",
      egress: ["0|__PROFILE__|pro:kns.shop|allow|0"],
      ingress: [
        "0|c|gnp:pass-c|pass|0",
        "1|a|gnp:pass-a|pass|0",
        "2|b|gnp:pass-b|pass|0",
        "3|platform|gnp:pass-platform|pass|0",
        "4|y|gnp:pass-y|pass|0",
        "5|z|gnp:pass-z|pass|0",
        "6|__PROFILE__|pro:kns.shop|allow|0",
      ],
    });
  });
});

describe("a policy's tier with no Tier resource (§4.3: sorts after every defined tier, default action Deny)", () => {
  const h = harness(
    docs(
      tier("zzz"),
      passer("zzz"),
      `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: orphan }
spec:
  tier: aaa
  order: 1
  ingress: [{ action: Allow, source: { selector: app == 'api' } }]
`,
    ),
  );
  const web = h.pod("shop", { app: "web" });

  test("an undefined tier sorts after an unordered defined tier even though its name sorts first", () => {
    expect(h.tiers().slice(-2)).toEqual(["zzz|-|Deny", "aaa|-|Deny?"]);
  });

  test("it still applies, and its end of tier denies", () => {
    expect(h.trace(h.pod("shop", { app: "other" }), web).ingress).toEqual([
      "0|zzz|gnp:pass-zzz|pass|0",
      "1|aaa|gnp:orphan|deny|-1",
    ]);
    expect(h.trace(h.pod("shop", { app: "api" }), web).ingress).toEqual([
      "0|zzz|gnp:pass-zzz|pass|0",
      "1|aaa|gnp:orphan|allow|0",
    ]);
  });
});

describe("built-in tiers (§9)", () => {
  test.each([
    { version: "3.32", tiers: ["calico-system|100|Deny", "kube-admin|1000|Pass", "default|1000000|Deny", "kube-baseline|10000000|Pass"] },
    { version: "v3.32.1", tiers: ["calico-system|100|Deny", "kube-admin|1000|Pass", "default|1000000|Deny", "kube-baseline|10000000|Pass"] },
    { version: "3.31", tiers: ["adminnetworkpolicy|1000|Pass", "default|1000000|Deny", "baselineadminnetworkpolicy|10000000|Pass"] },
    { version: "3.30", tiers: ["adminnetworkpolicy|1000|Pass", "default|1000000|Deny", "baselineadminnetworkpolicy|10000000|Pass"] },
  ])("Calico $version has $tiers", ({ version, tiers }) => {
    expect(harness("", { version }).tiers()).toEqual(tiers);
  });

  // One GNP per tier; none of its rules match, so each tier ends with its default action.
  const noMatch = (name: string, tierName: string) => `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: ${name} }
spec:
  tier: ${tierName}
  ingress: [{ action: Allow, source: { selector: app == 'nobody' } }]
`;

  test("v3.32: kube-admin and kube-baseline pass at end of tier, default denies", () => {
    const h = harness(docs(noMatch("admin", "kube-admin"), noMatch("base", "kube-baseline")));
    const web = h.pod("shop", { app: "web" });
    expect(h.trace(h.pod("shop", { app: "api" }), web).ingress).toEqual([
      "0|kube-admin|gnp:admin|pass|-1",
      "1|kube-baseline|gnp:base|pass|-1",
      "2|__PROFILE__|pro:kns.shop|allow|0",
    ]);
    const withDefault = harness(docs(noMatch("admin", "kube-admin"), noMatch("deflt", "default"), noMatch("base", "kube-baseline")));
    expect(withDefault.trace(h.pod("shop", { app: "api" }), web)).toEqual({
      verdict: "deny",
      egress: ["0|__PROFILE__|pro:kns.shop|allow|0"],
      ingress: ["0|kube-admin|gnp:admin|pass|-1", "1|default|gnp:deflt|deny|-1"],
    });
  });

  test("v3.31: adminnetworkpolicy and baselineadminnetworkpolicy pass; kube-admin is not built in there", () => {
    const h = harness(
      docs(
        noMatch("adminnetworkpolicy.a", "adminnetworkpolicy"),
        noMatch("baselineadminnetworkpolicy.b", "baselineadminnetworkpolicy"),
      ),
      { version: "3.31" },
    );
    const web = h.pod("shop", { app: "web" });
    expect(h.trace(h.pod("shop", { app: "api" }), web).ingress).toEqual([
      "0|adminnetworkpolicy|adminnetworkpolicy.a|pass|-1",
      "1|baselineadminnetworkpolicy|baselineadminnetworkpolicy.b|pass|-1",
      "2|__PROFILE__|__PROFILE__.kns.shop|allow|0",
    ]);
    // Under 3.31 a policy in kube-admin names a tier that does not exist: it sorts last and denies.
    const old = harness(noMatch("kube-admin.a", "kube-admin"), { version: "3.31" });
    expect(old.tiers()).toEqual([
      "adminnetworkpolicy|1000|Pass",
      "default|1000000|Deny",
      "baselineadminnetworkpolicy|10000000|Pass",
      "kube-admin|-|Deny?",
    ]);
    expect(old.trace(old.pod("shop", { app: "api" }), old.pod("shop", { app: "web" })).ingress).toEqual([
      "0|kube-admin|kube-admin.a|deny|-1",
    ]);
  });
});

describe("when a tier applies (§4.2, §4.4, §13.3: a policy must select the endpoint AND govern the direction)", () => {
  const h = harness(
    docs(
      tier("security", "{ order: 100 }"),
      `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: db-ingress, namespace: shop }
spec:
  tier: security
  selector: app == 'db'
  types: [Ingress]
  ingress: [{ action: Allow, source: { selector: app == 'api' } }]
`,
    ),
  );
  const db = h.pod("shop", { app: "db" });
  const web = h.pod("shop", { app: "web" });
  const api = h.pod("shop", { app: "api" });
  const other = h.pod("shop", { app: "other" });

  test.each([
    {
      why: "selected, ingress governed, no rule matches: end-of-tier deny",
      src: other, dst: db,
      want: { verdict: "deny", egress: ["0|__PROFILE__|pro:kns.shop|allow|0"], ingress: ["0|security|np:shop/db-ingress|deny|-1"] },
    },
    {
      why: "selected, ingress governed, rule matches: allow",
      src: api, dst: db,
      want: { verdict: "allow", egress: ["0|__PROFILE__|pro:kns.shop|allow|0"], ingress: ["0|security|np:shop/db-ingress|allow|0"] },
    },
    {
      why: "destination not selected: tier skipped with no end-of-tier action",
      src: other, dst: web,
      want: { verdict: "allow", egress: ["0|__PROFILE__|pro:kns.shop|allow|0"], ingress: ["0|__PROFILE__|pro:kns.shop|allow|0"] },
    },
    {
      why: "db is selected but the policy does not govern egress: tier skipped for db's egress",
      src: db, dst: web,
      want: { verdict: "allow", egress: ["0|__PROFILE__|pro:kns.shop|allow|0"], ingress: ["0|__PROFILE__|pro:kns.shop|allow|0"] },
    },
  ])("$why", ({ src, dst, want }) => {
    expect(h.trace(src, dst)).toEqual(want);
  });
});

describe("doNotTrack and preDNAT policies live in other chains (§4.2 item 3)", () => {
  test.each([
    { why: "doNotTrack", spec: "doNotTrack: true\n  applyOnForward: true" },
    { why: "preDNAT", spec: "preDNAT: true\n  applyOnForward: true" },
  ])("a $why GNP takes no part in workload evaluation and is reported as not evaluated", ({ why, spec }) => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: raw }
spec:
  ${spec}
  ingress: [{ action: Deny }]
`);
    expect(h.trace(h.pod("shop", { app: "api" }), h.pod("shop", { app: "web" })).ingress).toEqual(["0|__PROFILE__|pro:kns.shop|allow|0"]);
    expect(h.set.notes.map((n) => [n.code, n.path])).toEqual([["engine/not-evaluated", `spec.${why}`]]);
  });
});

describe("end of tier (§4.4, §4.5, §10.2)", () => {
  const h = harness(
    docs(
      tier("security", "{ order: 100 }"),
      ...[
        ["p1", 1, "app == 'web'"],
        ["p2", 2, "app == 'web'"],
        ["p3", 3, "app == 'db'"],
      ].map(
        ([name, order, sel]) => `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  tier: security
  order: ${order}
  selector: ${sel}
  ingress: [{ action: Allow, source: { selector: app == 'nobody' } }]
`,
      ),
      `
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: p4, namespace: shop }
spec:
  tier: security
  order: 4
  selector: app == 'web'
  ingress: [{ action: Allow, source: { selector: app == 'nobody' } }]
`,
    ),
  );

  test("the enforced end-of-tier deny is attributed to the LAST non-staged policy that selected the endpoint, rule index -1", () => {
    // p3 selects other pods and p4 is staged: neither is named.
    expect(h.trace(h.pod("shop", { app: "api" }), h.pod("shop", { app: "web" })).ingress).toEqual(["0|security|np:shop/p2|deny|-1"]);
  });

  test("the pending end-of-tier deny is attributed to the FIRST policy of the tier, as the checker does", () => {
    expect(h.pending(h.pod("shop", { app: "api" }), h.pod("shop", { app: "web" })).ingress).toEqual(["0|security|np:shop/p1|deny|-1"]);
  });
});

describe("Pass (§4.4, §4.5, §13.4)", () => {
  const yaml = docs(
    tier("first", "{ order: 10 }"),
    tier("lenient", "{ order: 20, defaultAction: Pass }"),
    `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: triage }
spec:
  tier: first
  selector: app == 'web'
  ingress:
    - { action: Pass, source: { selector: team == 'trusted' } }
    - { action: Deny, source: { selector: team == 'evil' } }
    - { action: Allow, source: { selector: team == 'vip' } }
`,
    `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: maybe }
spec:
  tier: lenient
  selector: app == 'web'
  ingress: [{ action: Deny, source: { selector: team == 'blocked' } }]
`,
    `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  selector: app == 'web'
  ingress: [{ action: Allow, source: { selector: team == 'trusted' } }]
`,
  );
  const h = harness(yaml);
  const web = h.pod("shop", { app: "web" });

  test.each([
    {
      why: "Pass rule goes to the next tier; tier defaultAction Pass goes on; the default tier allows",
      team: "trusted",
      want: ["0|first|gnp:triage|pass|0", "1|lenient|gnp:maybe|pass|-1", "2|default|np:shop/web|allow|0"],
    },
    {
      why: "Deny in the first tier stops the walk",
      team: "evil",
      want: ["0|first|gnp:triage|deny|1"],
    },
    {
      why: "Allow in the first tier stops the walk: later tiers and profiles are not consulted",
      team: "vip",
      want: ["0|first|gnp:triage|allow|2"],
    },
    {
      why: "no rule matches in a Deny tier: end-of-tier deny",
      team: "nobody",
      want: ["0|first|gnp:triage|deny|-1"],
    },
  ])("$why", ({ team, want }) => {
    expect(h.trace(h.pod("shop", { app: "client", team }), web).ingress).toEqual(want);
  });

  test("Pass from the last applicable tier reaches the namespace profile, which allows", () => {
    const last = harness(
      docs(
        tier("only", "{ order: 10 }"),
        `
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: hand-off, namespace: shop }
spec:
  tier: only
  ingress: [{ action: Pass }]
`,
      ),
    );
    expect(last.trace(last.pod("shop", { app: "api" }), last.pod("shop", { app: "web" }))).toEqual({
      verdict: "allow",
      egress: ["0|__PROFILE__|pro:kns.shop|allow|0"],
      ingress: ["0|only|np:shop/hand-off|pass|0", "1|__PROFILE__|pro:kns.shop|allow|0"],
    });
  });

  test("an endpoint that no policy of any tier selects skips every tier and reaches its profile", () => {
    // `maybe` in the Pass tier selects web only; db skips both tiers and reaches its profile.
    const db = h.pod("shop", { app: "db" });
    expect(h.trace(h.pod("shop", { app: "client", team: "evil" }), db).ingress).toEqual(["0|__PROFILE__|pro:kns.shop|allow|0"]);
  });
});

describe("no policy and both directions (§4.1, §4.4)", () => {
  test("no policy selects either pod: both profiles allow", () => {
    const h = harness("");
    expect(h.trace(h.pod("a", { app: "x" }), h.pod("b", { app: "y" }))).toEqual({
      verdict: "allow",
      egress: ["0|__PROFILE__|pro:kns.a|allow|0"],
      ingress: ["0|__PROFILE__|pro:kns.b|allow|0"],
    });
  });

  const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: api-egress, namespace: shop }
spec:
  selector: app == 'api'
  egress: [{ action: Allow, destination: { selector: app == 'db' } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: db-ingress, namespace: shop }
spec:
  selector: app == 'db'
  ingress: [{ action: Allow, source: { selector: app == 'web' } }]
`);
  const api = h.pod("shop", { app: "api" });
  const web = h.pod("shop", { app: "web" });
  const db = h.pod("shop", { app: "db" });

  test.each([
    {
      why: "egress at the source allows but ingress at the destination denies: denied",
      src: api, dst: db,
      want: { verdict: "deny", egress: ["0|default|np:shop/api-egress|allow|0"], ingress: ["0|default|np:shop/db-ingress|deny|-1"] },
    },
    {
      why: "ingress allows but egress at the source denies: denied",
      src: api, dst: web,
      want: { verdict: "deny", egress: ["0|default|np:shop/api-egress|deny|-1"], ingress: ["0|__PROFILE__|pro:kns.shop|allow|0"] },
    },
    {
      why: "both allow: allowed",
      src: web, dst: db,
      want: { verdict: "allow", egress: ["0|__PROFILE__|pro:kns.shop|allow|0"], ingress: ["0|default|np:shop/db-ingress|allow|0"] },
    },
  ])("$why", ({ src, dst, want }) => {
    expect(h.trace(src, dst)).toEqual(want);
  });

  test("an external source has no egress evaluation; an external destination has no ingress evaluation", () => {
    const ext = h.external("198.51.100.7");
    expect(h.trace(ext, db)).toEqual({ verdict: "deny", ingress: ["0|default|np:shop/db-ingress|deny|-1"] });
    expect(h.trace(api, ext)).toEqual({ verdict: "deny", egress: ["0|default|np:shop/api-egress|deny|-1"] });
    expect(h.trace(web, ext)).toEqual({ verdict: "allow", egress: ["0|__PROFILE__|pro:kns.shop|allow|0"] });
  });
});
