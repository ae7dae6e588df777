import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createFlowValueParser } from "../../src/flows/detect.js";
import { DEFAULT_LOAD_LIMITS } from "../../src/policy/index.js";
import { defaultConfig } from "../../src/review/config.js";
import type { RevisionFile } from "../../src/review/load.js";
import { prepareReview, type RevisionFiles } from "../../src/review/prepare.js";
import { comparerFromSpec, type ImpactSinkSpec } from "../../src/run/replay-impact.js";
import { impactSinkSpec } from "../../src/run/review.js";
import { TEMPLATE, templateFiles } from "../helpers/template.js";

/**
 * The review's worker threads rebuild the base and head sets from the documents prepareReview parsed (structured-
 * cloned into their spec), as simulate's workers do, instead of parsing both revisions' YAML again.
 */
const lines = gunzipSync(readFileSync(join(TEMPLATE, "flows/snapshot.jsonl.gz"))).toString("utf8").split("\n").filter(Boolean).slice(0, 3_000);

function revision(commit: string, files: Map<string, string>): RevisionFiles & { policyFiles: RevisionFile[] } {
  return { commit, policyFiles: [...files].map(([file, text]) => ({ file, text, blob: `${text.length}:${text}` })), testFiles: [] };
}

function report(spec: ImpactSinkSpec) {
  const comparer = comparerFromSpec(spec);
  const parse = createFlowValueParser();
  lines.forEach((text, i) => {
    const v = parse(text, i + 1);
    expect(comparer.addValue(v.value!, v.format!, i + 1)).toBeUndefined();
  });
  return comparer.finish(["snapshot"], 50);
}

describe("a review worker's spec", () => {
  const files = templateFiles();
  const headFiles = new Map(files);
  const changed = join(TEMPLATE, "application/productcatalogservice.yaml");
  headFiles.set(changed, files.get(changed)!.replace("order: 100", "order: 5"));
  const base = revision("b", files);
  const head = revision("h", headFiles);
  const config = defaultConfig();
  const prepared = prepareReview(base, head, config, DEFAULT_LOAD_LIMITS);
  const input = { config, limits: DEFAULT_LOAD_LIMITS, base, head, flows: [] };

  test("carries the parsed documents of every file of both revisions, each once", () => {
    const spec = impactSinkSpec({ ...input, parsed: prepared.parsed });
    expect(spec.documents?.size).toBe(files.size + 1); // the changed file in both versions
    expect(impactSinkSpec(input).documents).toBeUndefined();
  });

  test("rebuilds the sets without parsing: the same report as parsing the text, even with the text gone", () => {
    const parsedHere = report(impactSinkSpec(input));
    const blank = (fs: RevisionFiles["policyFiles"]) => fs.map((f) => ({ ...f, text: "" }));
    const spec = structuredClone(impactSinkSpec({ ...input, parsed: prepared.parsed })); // as a worker receives it
    const rebuilt = report({ ...spec, base: blank(spec.base), head: blank(spec.head) });
    expect(parsedHere.totals.records).toBe(3_000);
    expect(rebuilt).toEqual(parsedHere);
    // Without the documents, blank text gives empty sets: the report is not the same, so the documents were used.
    expect(report({ ...impactSinkSpec(input), base: blank(base.policyFiles), head: blank(head.policyFiles) })).not.toEqual(parsedHere);
  });
});
