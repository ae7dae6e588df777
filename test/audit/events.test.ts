import { describe, expect, test } from "@jest/globals";
import { parsePromotionEvents, parsePromotions, PROMOTION_EVENT, promotionEventFields } from "../../src/audit/index.js";

/** The controller's records as Kubernetes Events and as JSON log lines: what is read, what is skipped, what is wrong. */
const SHA = "0123456789abcdef0123456789abcdef01234567";
const record = { commit: SHA, environment: "prod", time: "2026-01-09T10:00:00Z", outcome: "succeeded", cluster: "eu", pr: 12, author: "erin", kind: "NetworkPolicy", namespace: "shop", name: "web", verb: "update", reason: "enforce NetworkPolicy shop/web" };

describe("promotion Events", () => {
  test("core/v1 and events.k8s.io/v1 Events, a List or one Event; others skipped; the Event's time stands in", () => {
    const marked = { [PROMOTION_EVENT.annotation]: JSON.stringify({ commit: SHA, environment: "staging", outcome: "failed" }) };
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [
        { apiVersion: "v1", kind: "Event", metadata: { name: "a", annotations: promotionEventFields(record).annotations }, reason: "Promoted" },
        { apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "b", annotations: marked }, deprecatedLastTimestamp: "2026-01-08T10:00:00Z" },
        { apiVersion: "v1", kind: "Event", metadata: { name: "c" }, reason: "Pulled" },
      ],
    };
    expect(parsePromotionEvents(JSON.stringify(list), "e.json")).toEqual({
      records: [record, { commit: SHA, environment: "staging", time: "2026-01-08T10:00:00Z", outcome: "failed" }],
      problems: [],
      skipped: 1,
    });
    expect(parsePromotionEvents(JSON.stringify(list.items[0]), "one.json").records).toEqual([record]);
  });

  test.each([
    ['{"kind": "PodList", "metadata": {}}', 1, 1, "", 'expected a List of Events (with "items") or an Event, not kind "PodList"'],
    ["[1, 2]", 1, 1, "", "expected the JSON of `kubectl get events -o json` (a List of Events) or one Event"],
    [`{"kind":"List","items":[\n {"metadata":{"annotations":{"tierguard.dev/promotion":"{not json"}}}]}`, 2, 56, 'items[0].metadata.annotations["tierguard.dev/promotion"]', "the tierguard.dev/promotion annotation is not JSON"],
    [`{"kind":"List","items":[\n {"metadata":{"annotations":{"tierguard.dev/promotion":"{\\"commit\\":\\"${SHA}\\",\\"environment\\":\\"p\\",\\"outcome\\":\\"succeeded\\"}"}}}]}`, 2, 56, 'items[0].metadata.annotations["tierguard.dev/promotion"]', 'tierguard.dev/promotion: "time" must be a non-empty string'],
  ])("%s: line %d col %d, %s", (text, line, col, path, message) => {
    const { problems } = parsePromotionEvents(text, "e.json");
    expect(problems).toHaveLength(1);
    expect({ line: problems[0].line, col: problems[0].col, path: problems[0].path }).toEqual({ line, col, path });
    expect(problems[0].message.startsWith(message)).toBe(true);
  });
});

describe("promotion log lines", () => {
  test("the controller's other log lines are skipped; records keep their optional fields", () => {
    const text = [JSON.stringify({ level: "info", msg: "reconciling", time: "2026-01-09T09:00:00Z" }), JSON.stringify(record), ""].join("\n");
    expect(parsePromotions(text)).toEqual({ records: [record], problems: [], skipped: 1 });
  });

  test.each([
    [{ ...record, namespace: 3 }, '"namespace" must be a string or null, not 3'],
    [{ ...record, author: ["erin"] }, '"author" must be a string, not ["erin"]'],
    [{ ...record, pr: 0 }, '"pr" must be a pull-request number, not 0'],
    [{ environment: "prod" }, '"commit" must be a non-empty string'],
  ])("%j: %s", (o, message) => {
    expect(parsePromotions(JSON.stringify(o)).problems).toEqual([{ line: 1, message }]);
  });
});
