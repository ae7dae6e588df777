import { describe, expect, test } from "@jest/globals";
import { harness } from "../helpers/engine.js";

describe("engine smoke", () => {
  test("default allow with no policies; a default deny blocks; an allow rule opens", () => {
    const h = harness(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  selector: app == 'web'
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: app == 'api' }
      destination: { ports: [8080] }
`);
    const web = h.pod("shop", { app: "web" });
    const api = h.pod("shop", { app: "api" });
    const other = h.pod("shop", { app: "other" });
    expect(h.trace(api, web, 8080)).toEqual({
      verdict: "allow",
      egress: ["0|__PROFILE__|pro:kns.shop|allow|0"],
      ingress: ["0|default|np:shop/web|allow|0"],
    });
    expect(h.trace(other, web, 8080)).toEqual({
      verdict: "deny",
      egress: ["0|__PROFILE__|pro:kns.shop|allow|0"],
      ingress: ["0|default|np:shop/web|deny|-1"],
    });
    expect(h.trace(api, web, 9090).verdict).toBe("deny");
  });
});
