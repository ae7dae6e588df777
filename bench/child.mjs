// Runs one tierguard command in this process and prints {ms, maxRssMB} on stderr's last line (stdout is discarded).
import { main } from "../dist/cli/main.js";

const args = process.argv.slice(2);
const io = { stdout: () => {}, stderr: (t) => process.stderr.write(t), stderrIsTTY: false, cwd: process.cwd(), now: () => Date.now() };
const t0 = performance.now();
const code = await main(args, io);
const ms = Math.round(performance.now() - t0);
process.stderr.write(`\n${JSON.stringify({ code, ms, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
