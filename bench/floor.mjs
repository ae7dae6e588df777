// The floor any reader must pay: stream the file, split lines, JSON.parse each. Prints JSON {records, ms, maxRssMB}.
//
// The stream decodes text in Node's default 64 KiB chunks. Until 2026-12-04 it asked for 1 MiB chunks: each
// decoded chunk was then a string in V8's large-object space, and allocating and freeing those doubled the floor
// (6.0 s against 2.7 s for the 1M-record workload, measured back to back). A floor must be the fastest plain reader,
// so every figure measured against the old one flattered tierguard by about 2x.
import { createReadStream } from "node:fs";

const path = process.argv[2];
const t0 = performance.now();
let records = 0;
let rest = "";
let sink = 0;
for await (const chunk of createReadStream(path, { encoding: "utf8" })) {
  const text = rest + chunk;
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    if (nl === -1) break;
    const v = JSON.parse(text.slice(start, nl));
    sink += v.num_flows ?? 0;
    records++;
    start = nl + 1;
  }
  rest = text.slice(start);
}
if (rest.trim()) {
  JSON.parse(rest);
  records++;
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage();
console.log(JSON.stringify({ records, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), sink }));
