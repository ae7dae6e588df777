// Helpers shared by the bench scripts: the first n records of a benchmark's flow file (written once beside it and
// reused), `--name value` options, and the built package and generated data a script in this process needs.
import { execFileSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

/** The value after `--name` on the command line, or `fallback`. */
export function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
}

/** Builds the package and generates the workload in `data` when missing; returns an importer of dist/ modules. */
export function inProcess(data) {
  if (!existsSync("dist/cli/main.js")) execFileSync("npm", ["run", "build"], { stdio: "inherit" });
  if (!existsSync(`${data}/flows.jsonl`)) execFileSync("node", ["bench/generate.mjs", "--out", data], { stdio: "inherit" });
  return (path) => import(pathToFileURL(resolve("dist", path)).href);
}

export async function flowPrefix(data, n) {
  const path = `${data}/flows-${n}.jsonl`;
  if (existsSync(path)) return path;
  const out = createWriteStream(path);
  let i = 0;
  for await (const line of createInterface({ input: createReadStream(`${data}/flows.jsonl`) })) {
    if (i++ >= n) break;
    out.write(line + "\n");
  }
  out.end();
  await new Promise((r) => out.on("finish", r));
  return path;
}
