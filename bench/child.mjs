// Runs one tierguard command in this process and prints {ms, cpuMs, maxRssMB} on stderr's last line (stdout is
// discarded). cpuMs is the process's user + system time, worker threads included: on a shared machine it moves less
// than the wall time.
import { main } from "../dist/cli/main.js";

const args = process.argv.slice(2);
const io = { stdout: () => {}, stderr: (t) => process.stderr.write(t), stderrIsTTY: false, cwd: process.cwd(), now: () => Date.now() };
const t0 = performance.now();
const code = await main(args, io);
const ms = Math.round(performance.now() - t0);
const cpu = process.cpuUsage();
process.stderr.write(`\n${JSON.stringify({ code, ms, cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
