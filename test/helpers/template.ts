import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The bundled example policy repository. */
export const TEMPLATE = "policies-template";
/** Its policy directories (tests, flows and tierguard.yaml are not policies). */
export const TEMPLATE_POLICY_DIRS = ["tiers", "security", "platform", "namespace-isolation", "application"];

/** The example's policy files, path → text, in directory order. */
export function templateFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of TEMPLATE_POLICY_DIRS) for (const f of readdirSync(join(TEMPLATE, dir))) {
    const path = join(TEMPLATE, dir, f);
    if (statSync(path).isFile()) files.set(path, readFileSync(path, "utf8"));
  }
  return files;
}
