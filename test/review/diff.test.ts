import { describe, expect, test } from "@jest/globals";
import { reviewContext } from "../helpers/review.js";

const np = (name: string, body: string, tier = "application") => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  tier: ${tier}
${body}`;
const RULES = `  selector: app == 'web'
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: app == 'api' }
      destination: { ports: [80] }
`;

function kinds(base: Record<string, string>, head: Record<string, string>) {
  return reviewContext({ base, head }).changes.map((c) => ({ kind: c.kind, meaningChanged: c.meaningChanged, summary: c.summary }));
}

describe("resource diff by identity", () => {
  test("no change: nothing listed", () => {
    expect(kinds({ "a.yaml": np("web", RULES) }, { "a.yaml": np("web", RULES) })).toEqual([]);
  });

  test("comments, quoting, key order and selector spelling are not a change of meaning", () => {
    const reformatted = `# a comment
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { namespace: shop, name: web }
spec:
  ingress:
    - destination: { ports: ["80"] }
      source: { selector: "app=='api'" }
      protocol: TCP
      action: Allow
  selector: app=="web"
  tier: application
  types: [Ingress]
`;
    expect(kinds({ "a.yaml": np("web", RULES) }, { "a.yaml": reformatted })).toEqual([{ kind: "reformatted", meaningChanged: false, summary: "formatting or comments changed" }]);
  });

  test("a move to another file keeps its identity", () => {
    expect(kinds({ "a.yaml": np("web", RULES) }, { "b/c.yaml": np("web", RULES) })).toEqual([{ kind: "moved", meaningChanged: false, summary: "moved from a.yaml to b/c.yaml" }]);
  });

  test("changing spec.tier is a change of meaning, named as such", () => {
    expect(kinds({ "a.yaml": np("web", RULES) }, { "a.yaml": np("web", RULES, "security") })).toEqual([
      { kind: "changed", meaningChanged: true, summary: "spec.tier changed from application to security" },
    ]);
  });

  test("a rename is detected by equal meaning under another name", () => {
    expect(kinds({ "a.yaml": np("web", RULES) }, { "a.yaml": np("web2", RULES) })).toEqual([
      { kind: "renamed", meaningChanged: true, summary: "renamed from NetworkPolicy shop/web to NetworkPolicy shop/web2" },
    ]);
  });

  test("added and removed", () => {
    expect(kinds({ "a.yaml": np("web", RULES) }, { "a.yaml": np("db", "  selector: app == 'db'\n") })).toEqual([
      { kind: "removed", meaningChanged: true, summary: "removed (was in a.yaml)" },
      { kind: "added", meaningChanged: true, summary: "added in a.yaml" },
    ]);
  });

  test("a kind: List hiding several resources: each is its own identity", () => {
    const list = `apiVersion: v1
kind: List
items:
  - ${np("web", RULES).replace(/\n/g, "\n    ")}
  - ${np("db", "  selector: app == 'db'\n").replace(/\n/g, "\n    ")}
`;
    const changes = kinds({ "a.yaml": np("web", RULES) }, { "a.yaml": list });
    expect(changes).toEqual([
      { kind: "reformatted", meaningChanged: false, summary: "formatting or comments changed" },
      { kind: "added", meaningChanged: true, summary: "added in a.yaml" },
    ]);
  });
});
