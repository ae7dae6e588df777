import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { edit, templateRepo, type LocalRepo } from "../helpers/github-repo.js";

/**
 * The template cut to its tiers and three application policies (checkoutservice, adservice, cartservice), without
 * the flow snapshot: the transitional check and the full template are wiring.test.ts's; elsewhere they only cost
 * time.
 */
export function smallRepo(): LocalRepo {
  const r = templateRepo();
  edit(r.dir, "tierguard.yaml", /^flows:.*\n/m, "");
  for (const dir of ["security", "platform", "namespace-isolation", "tests"]) rmSync(join(r.dir, dir), { recursive: true });
  for (const f of readdirSync(join(r.dir, "application"))) if (!["checkoutservice.yaml", "adservice.yaml", "cartservice.yaml"].includes(f)) rmSync(join(r.dir, "application", f));
  return r;
}
