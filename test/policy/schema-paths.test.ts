import { describe, expect, test } from "@jest/globals";
import { DEFAULT_BUNDLE_OPTIONS, loadBundle } from "../../src/policy/index.js";

/**
 * Issue 17 (loading): the schema joins a field's path only when it reports a finding there. The paths, positions and
 * messages of findings at every depth (list items, map values with quoted keys, unknown and missing fields, a
 * dropped list item before a bad one) are those of the eagerly joined paths.
 */
const yaml = [
  "apiVersion: projectcalico.org/v3", // 1
  "kind: NetworkPolicy", // 2
  "metadata:", // 3
  "  name: p", // 4
  "  namespace: ns", // 5
  "  labels: { app.kubernetes.io/name: [x] }", // 6
  "spec:", // 7
  "  selector: all()", // 8
  "  ingress:", // 9
  "    - action: Allow", // 10
  "      source: { selectr: app == 'x' }", // 11
  "    - action: Allow", // 12
  "      destination: { ports: [[1], 80, {a: 1}] }", // 13
  "  types: [Ingress, 7]", // 14
].join("\n");

describe("schema findings at depth", () => {
  test("each finding names the field as the file has it, at its position", () => {
    const { diagnostics } = loadBundle([{ file: "p.yaml", text: yaml }], DEFAULT_BUNDLE_OPTIONS);
    const schema = diagnostics.filter((d) => d.code.startsWith("schema/")).map((d) => ({ code: d.code, line: d.line, col: d.col, path: d.path, message: d.message }));
    expect(schema).toEqual([
      { code: "schema/wrong-type", line: 6, col: 37, path: 'metadata.labels["app.kubernetes.io/name"]', message: 'metadata.labels["app.kubernetes.io/name"] must be a string; found a list' },
      { code: "schema/unknown-field", line: 11, col: 17, path: "spec.ingress[0].source.selectr", message: 'unknown field "selectr" in spec.ingress[0].source; did you mean "selector"?' },
      { code: "schema/wrong-type", line: 13, col: 30, path: "spec.ingress[1].destination.ports[0]", message: "spec.ingress[1].destination.ports[0] must be a whole number or a string; found a list" },
      { code: "schema/wrong-type", line: 13, col: 39, path: "spec.ingress[1].destination.ports[2]", message: "spec.ingress[1].destination.ports[2] must be a whole number or a string; found a map" },
      { code: "schema/invalid-value", line: 14, col: 20, path: "spec.types[1]", message: "spec.types[1] must be one of Ingress, Egress; found the number 7" },
    ]);
  });

  test("a missing required field is reported at its parent, with the joined path in the message", () => {
    const { diagnostics } = loadBundle([{ file: "q.yaml", text: "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nspec: {}\n" }], DEFAULT_BUNDLE_OPTIONS);
    expect(diagnostics.filter((d) => d.code === "schema/missing-field").map((d) => [d.line, d.col, d.path, d.message])).toEqual([[1, 1, "", "metadata is required"]]);
  });
});
