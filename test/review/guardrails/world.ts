import { reviewContext } from "../../helpers/review.js";
import { analyseGuardrails, type GuardrailAnalysis, type GuardrailLimits } from "../../../src/review/guardrails/index.js";
import type { Finding } from "../../../src/review/types.js";

/**
 * A small cluster for guard-rail tests: three tiers (security and platform pass at their end, application denies),
 * owners for each, and helpers that write one policy per file so each finding's file names the policy it is about.
 */
export const TIERS = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100, defaultAction: Pass }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: platform }
spec: { order: 200, defaultAction: Pass }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: application }
spec: { order: 400, defaultAction: Deny }
`;

export const CONFIG = `tiers:
  security: { owners: ["@acme/secops"] }
  platform: { owners: ["@acme/platform"] }
  application: { owners: ["@acme/app-devs"] }
  default: { owners: ["@acme/platform"] }
admins: ["@acme/admins"]
guardrails:
  tiers: [security]
  required: [GlobalNetworkPolicy/quarantine]
`;

/** A GlobalNetworkPolicy; `body` is the spec below tier and order, indented by two spaces. */
export function gnp(name: string, tier: string, order: number, body: string): string {
  return `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: ${name}
spec:
  tier: ${tier}
  order: ${order}
${body}`;
}

export function np(name: string, namespace: string, tier: string, order: number, body: string): string {
  return `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  tier: ${tier}
  order: ${order}
${body}`;
}

export interface World {
  base?: Record<string, string>;
  head: Record<string, string>;
  /** tierguard.yaml at base; CONFIG when undefined, none at all when null. */
  config?: string | null;
  inventory?: string;
  limits?: Partial<GuardrailLimits>;
}

/** Runs the analysis; files in `head` that are absent from `base` are the change. */
export function analyse(w: World): GuardrailAnalysis {
  const base = { "tiers.yaml": TIERS, ...(w.base ?? {}) };
  const head = { "tiers.yaml": TIERS, ...w.head };
  const ctx = reviewContext({ base, head, config: w.config === null ? undefined : (w.config ?? CONFIG), inventory: w.inventory });
  return analyseGuardrails(ctx, { limits: w.limits });
}

/** The fields a table row asserts. */
export function brief(f: Finding): { code: string; severity: string; file: string; line: number } {
  return { code: f.code, severity: f.severity, file: f.file, line: f.line };
}

export function lineOf(text: string, needle: string, nth = 0): number {
  const lines = text.split("\n");
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes(needle) && seen++ === nth) return i + 1;
  }
  throw new Error(`"${needle}" not found`);
}
