import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The bundled example repository's files, keyed by repository-relative path, for review fixtures. */
const ROOT = "policies-template";
const POLICY_FOLDERS = ["tiers", "security", "platform", "namespace-isolation", "application"];

function readFolder(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(join(ROOT, folder)).sort()) {
    if (/\.ya?ml$/.test(f)) out[`${folder}/${f}`] = readFileSync(join(ROOT, folder, f), "utf8");
  }
  return out;
}

export function templatePolicies(): Record<string, string> {
  return Object.assign({}, ...POLICY_FOLDERS.map(readFolder));
}

export function templateTests(): Record<string, string> {
  return readFolder("tests");
}

export function templateInventory(): string {
  return readFileSync(join(ROOT, "flows/inventory.yaml"), "utf8");
}

export function templateConfig(): string {
  return readFileSync(join(ROOT, "tierguard.yaml"), "utf8");
}
