import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { ensureDist, REPO_ROOT } from "../helpers/dist.js";

/**
 * The package as npm installs it: `npm pack` of this checkout, unpacked outside it, its dependencies linked in (no
 * registry). `tierguard app` from there, with no credentials, serves the setup page, which reads app.yml next to
 * dist/ (src/cli/app.ts): `files` in package.json must ship it.
 */
const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "tg-package-"));
const installed = join(scratch, "package");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(async () => {
  await ensureDist(); // one build for the whole run (test/helpers/dist.ts)
  const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: REPO_ROOT });
  const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
  await exec("tar", ["-xzf", join(scratch, filename), "-C", scratch]);
  symlinkSync(join(REPO_ROOT, "node_modules"), join(installed, "node_modules"));
}, 120_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** `tierguard app` from the unpacked package, in an empty working directory, with only the variables given. */
function startApp(port: number): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const cwd = mkdtempSync(join(scratch, "cwd-"));
  const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), NODE_ENV: "test", LOG_LEVEL: "warn" as const };
  const child = spawn(process.execPath, [join(installed, "dist/cli/bin.js"), "app"], { cwd, env });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { child, output: () => output, exited };
}

/** GET `url` once the server listens (it is starting in another process); undefined if the process exits first. */
async function getWhenUp(url: string, exited: Promise<number | null>): Promise<Response | undefined> {
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone) {
    const res = await fetch(url).catch(() => undefined);
    if (res) return res;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

describe("the npm package", () => {
  test("package.json names the repository, and the packed files include app.yml", () => {
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(pkg.repository).toEqual({ type: "git", url: "git+https://github.com/tierguard/tierguard.git" });
    expect(readFileSync(join(installed, "app.yml"), "utf8")).toBe(readFileSync(join(REPO_ROOT, "app.yml"), "utf8"));
  });

  test("an installed `tierguard app` without credentials serves the setup page with the packed app.yml's manifest", async () => {
    const port = await freePort();
    const app = startApp(port);
    try {
      const res = await getWhenUp(`http://127.0.0.1:${port}/`, app.exited);
      expect({ status: res?.status, output: app.output() }).toEqual({ status: 200, output: "" });
      const html = await res!.text();
      const value = /<input type="hidden" name="manifest" value="([^"]*)">/.exec(html)![1];
      const manifest = JSON.parse(value.replace(/&#(\d+);/g, (_m, n) => String.fromCharCode(Number(n))));
      const appYml = parse(readFileSync(join(installed, "app.yml"), "utf8"));
      expect(manifest).toEqual({ ...appYml, hook_attributes: { ...appYml.hook_attributes, url: `http://127.0.0.1:${port}/api/github/webhooks` }, redirect_url: `http://127.0.0.1:${port}/probot/setup` });
    } finally {
      app.child.kill("SIGTERM");
      await app.exited;
    }
  }, 30_000);
});
