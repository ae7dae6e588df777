import { joinPath, type Diagnostic, type Location, type Severity } from "../../contracts/index.js";
import { describeResource, type CalicoPolicyResource, type Resource } from "../types.js";
import { SelectorParses } from "../../selector/index.js";
import type { CalicoVersion } from "../version.js";

/**
 * The collector every rule module writes into. A rule never throws and never stops at the first problem: it calls
 * `report` once per finding, with the field path the finding concerns (STYLE habit 3).
 */
export interface ReportOptions {
  /** Defaults to "error"; advisory rules pass "warning". */
  severity?: Severity;
  /**
   * Where to point: the field's value (default), its key (for a field that should not be there), or a character
   * offset inside a string value (for selector errors).
   */
  at?: "value" | "key" | { offset: number };
}

export interface ValidationContext {
  version: CalicoVersion;
  /** Every selector text parses through this memo (shared with the engine's compile). */
  selectors: SelectorParses;
  report(code: string, path: string, message: string, options?: ReportOptions): void;
}

/** One semantic rule over one resource. */
export type ResourceRule = (resource: Resource, ctx: ValidationContext) => void;

export function resourceContext(resource: Resource, version: CalicoVersion, out: Diagnostic[], selectors = new SelectorParses()): ValidationContext {
  const name = describeResource(resource);
  return {
    version,
    selectors,
    report(code, cleanedPath, message, options = {}) {
      // Rules walk the schema-cleaned resource; the diagnostic names the field as the file has it.
      const path = resource.source.filePath(cleanedPath);
      const location = locate(resource, path, options.at ?? "value");
      out.push({ code, severity: options.severity ?? "error", message, ...location, path, resource: name });
    },
  };
}

function locate(resource: Resource, path: string, at: NonNullable<ReportOptions["at"]>): Location {
  if (at === "value") return resource.source.at(path);
  if (at === "key") return resource.source.keyAt(path);
  return resource.source.inside(path, at.offset);
}

/** A rule (or list of rules) in a Calico policy, with what the rule checks need to know about where it sits. */
export interface RuleSite {
  direction: "ingress" | "egress";
  /** Field path of the rule, e.g. `spec.ingress[0]`. */
  path: string;
  /** GlobalNetworkPolicy or StagedGlobalNetworkPolicy. */
  global: boolean;
}

export function sidePath(site: RuleSite, side: "source" | "destination", field?: string): string {
  const base = joinPath(site.path, side);
  return field === undefined ? base : joinPath(base, field);
}

/** Quotes a value for a message, shortening long ones. */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** `; did you mean "X"?`, or "" when nothing is close. */
export function hint(guess: string | undefined): string {
  return guess ? `; did you mean ${quote(guess)}?` : "";
}

// One definition, in policy/types.ts; re-exported for the validators that import it from here.
export { isCalicoPolicy } from "../types.js";
