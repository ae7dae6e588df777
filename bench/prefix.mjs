// The first n records of a benchmark's flow file, written once beside it and reused (shared by the bench scripts).
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";

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
