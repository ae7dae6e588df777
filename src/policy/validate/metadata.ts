import { joinPath } from "../../contracts/index.js";
import type { Resource } from "../types.js";
import type { RuleSite, ValidationContext } from "./context.js";
import { quote } from "./context.js";
import { labelValueProblem, qualifiedNameProblem, utf8Length } from "./syntax.js";

/**
 * Labels and annotations: Kubernetes qualified-name keys, label-value values, and the 256 kB total for annotations
 * (validator.go validateObjectMetaLabels, validateObjectMetaAnnotations, validateRuleMetadata).
 */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

export function checkMetadata(resource: Resource, ctx: ValidationContext): void {
  const labels = resource.metadata.labels ?? {};
  for (const [key, value] of Object.entries(labels)) {
    const path = joinPath("metadata.labels", key);
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) {
      ctx.report("metadata/label-key", path, `label key ${quote(key)} ${keyProblem}`, { at: "key" });
    }
    const valueProblem = labelValueProblem(value);
    if (valueProblem) {
      ctx.report("metadata/label-value", path, `value ${quote(value)} of label ${quote(key)} ${valueProblem}`);
    }
  }
  checkAnnotations(resource.metadata.annotations, "metadata.annotations", ctx);
}

/** Rule metadata annotations follow the same key and size rules as object annotations. */
export function checkRuleMetadata(site: RuleSite, annotations: Record<string, string> | undefined, ctx: ValidationContext): void {
  checkAnnotations(annotations, joinPath(joinPath(site.path, "metadata"), "annotations"), ctx);
}

function checkAnnotations(annotations: Record<string, string> | undefined, base: string, ctx: ValidationContext): void {
  if (!annotations) return;
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    // Kubernetes checks annotation keys case-insensitively.
    const problem = qualifiedNameProblem(key.toLowerCase());
    if (problem) {
      ctx.report("metadata/annotation-key", joinPath(base, key), `annotation key ${quote(key)} ${problem}`, { at: "key" });
    }
    total += utf8Length(key) + utf8Length(value);
  }
  if (total > MAX_ANNOTATION_BYTES) {
    ctx.report("metadata/annotations-too-large", base,
      `annotations total ${total} bytes, ${total - MAX_ANNOTATION_BYTES} over the ${MAX_ANNOTATION_BYTES}-byte limit; ` +
        "move large values out of annotations (for example into a ConfigMap)", { at: "key" });
  }
}
