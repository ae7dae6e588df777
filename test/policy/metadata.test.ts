import { describe, expect, test } from "@jest/globals";
import { found, rulePolicy, type Row } from "./validate-helpers.js";

/**
 * metadata.ts: label keys (qualified names) and values, annotation keys, the 256 kB annotation total, and rule
 * metadata annotations. Entries under labels/annotations start on line 7, column 5.
 */
function withMeta(field: "labels" | "annotations", ...entries: string[]): string {
  return [
    "apiVersion: projectcalico.org/v3",
    "kind: NetworkPolicy",
    "metadata:",
    "  name: p",
    "  namespace: ns",
    `  ${field}:`,
    ...entries.map((e) => `    ${e}`),
    "",
  ].join("\n");
}
const key = (code: string, path: string, line = 7) => ({ code, line, col: 5, path });

const rows: Row[] = [
  { name: "plain and prefixed labels", expected: [],
    yaml: withMeta("labels", "app: web", "example.com/tier: front-end", 'empty: ""', "app.kubernetes.io/name: a_b.c-d") },
  { name: "label key starting with '-'", yaml: withMeta("labels", "-bad: x"), expected: [key("metadata/label-key", 'metadata.labels["-bad"]')] },
  { name: "label key with two slashes", yaml: withMeta("labels", "a/b/c: x"), expected: [key("metadata/label-key", 'metadata.labels["a/b/c"]')] },
  { name: "label key with an upper-case prefix", yaml: withMeta("labels", "Example.com/x: y"),
    expected: [key("metadata/label-key", 'metadata.labels["Example.com/x"]')] },
  { name: "label key name over 63 characters", yaml: withMeta("labels", `${"k".repeat(64)}: v`),
    expected: [key("metadata/label-key", `metadata.labels.${"k".repeat(64)}`)] },
  { name: "label value with a space", yaml: withMeta("labels", "app: has space"),
    expected: [{ code: "metadata/label-value", line: 7, col: 10, path: "metadata.labels.app" }] },
  { name: "label value over 63 characters", yaml: withMeta("labels", `app: ${"v".repeat(64)}`),
    expected: [{ code: "metadata/label-value", line: 7, col: 10, path: "metadata.labels.app" }] },
  { name: "both key and value bad, and a second label", yaml: withMeta("labels", "ok: fine", "bad key: bad value"),
    expected: [key("metadata/label-key", 'metadata.labels["bad key"]', 8),
      { code: "metadata/label-value", line: 8, col: 14, path: 'metadata.labels["bad key"]' }] },
  { name: "annotation keys are checked case-insensitively", expected: [],
    yaml: withMeta("annotations", "Example.COM/Owner: team-a", "note: 'free text, anything: goes'") },
  { name: "annotation key with a space", yaml: withMeta("annotations", "bad key: x"),
    expected: [key("metadata/annotation-key", 'metadata.annotations["bad key"]')] },
  { name: "annotations over 256 kB", yaml: withMeta("annotations", `big: ${"x".repeat(256 * 1024)}`),
    expected: [{ code: "metadata/annotations-too-large", line: 6, col: 3, path: "metadata.annotations" }] },
  { name: "annotations of exactly 256 kB", expected: [],
    yaml: withMeta("annotations", `big: ${"x".repeat(256 * 1024 - 3)}`) },
  { name: "multi-byte characters count as UTF-8 bytes", yaml: withMeta("annotations", `big: ${"é".repeat(128 * 1024)}`),
    expected: [{ code: "metadata/annotations-too-large", line: 6, col: 3, path: "metadata.annotations" }] },
  { name: "rule metadata annotation key",
    yaml: rulePolicy(["action: Allow", "metadata:", "  annotations:", "    bad/key/x: y"]),
    expected: [{ code: "metadata/annotation-key", line: 9, col: 11, path: 'spec.ingress[0].metadata.annotations["bad/key/x"]' }] },
];

describe("metadata checks", () => {
  test.each(rows)("$name", ({ yaml, version, expected }) => {
    expect(found(yaml, version)).toEqual(expected);
  });
});
