// The floor any reader must pay: stream the file, split lines, JSON.parse each. Prints JSON {records, ms, maxRssMB}.
import { createReadStream } from "node:fs";

const path = process.argv[2];
const t0 = performance.now();
let records = 0;
let rest = "";
let sink = 0;
for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 })) {
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
