import { describe, expect, test } from "@jest/globals";
import { existsSync, readFileSync } from "node:fs";
import picomatch from "picomatch";

/**
 * The image as deploy/README.md builds it (`docker build .` at the repository root). No Docker engine runs here, so
 * the Dockerfile is parsed and held to what a build needs: every file it copies from the context exists, the build
 * runs the package's own scripts, the image runs `tierguard app` as a non-root user, and the build context never
 * carries node_modules or a secret.
 */
interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Instructions with their continuation lines joined; comments and blank lines dropped. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: Instruction | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === "" || line.startsWith("#"))) return;
    const continued = line.endsWith("\\");
    const body = continued ? line.slice(0, -1).trim() : line;
    if (pending) pending.args += ` ${body}`;
    else {
      const m = /^([A-Z]+)\s+(.*)$/.exec(body);
      if (!m) throw new Error(`Dockerfile:${i + 1}: not an instruction: ${line}`);
      pending = { op: m[1], args: m[2], line: i + 1 };
    }
    if (!continued) (out.push(pending), (pending = undefined));
  });
  return out;
}

const dockerfile = instructions(readFileSync("Dockerfile", "utf8"));
const stages = dockerfile.filter((i) => i.op === "FROM");
const runtime = dockerfile.slice(dockerfile.indexOf(stages[stages.length - 1]));
const scripts = JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>;
const ignored = readFileSync(".dockerignore", "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
const isIgnored = (path: string) => ignored.some((p) => picomatch.isMatch(path, p, { dot: true }) || picomatch.isMatch(path, `${p}/**`, { dot: true }));

describe("Dockerfile", () => {
  test("two stages on node:20-slim: a build and a runtime", () => {
    expect(stages.map((s) => s.args)).toEqual(["node:20-slim AS build", "node:20-slim"]);
  });

  test("every file copied from the build context exists and is not excluded by .dockerignore", () => {
    const copies = dockerfile.filter((i) => i.op === "COPY" && !i.args.startsWith("--from="));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      const sources = c.args.split(/\s+/).slice(0, -1);
      for (const s of sources) {
        expect({ line: c.line, source: s, exists: existsSync(s), ignored: isIgnored(s) }).toEqual({ line: c.line, source: s, exists: true, ignored: false });
      }
    }
  });

  test("the runtime copies from the build stage exactly what the build makes: dist, production node_modules, package.json", () => {
    const fromBuild = runtime.filter((i) => i.op === "COPY" && i.args.startsWith("--from=build")).map((i) => i.args.split(/\s+/)[1]);
    expect(fromBuild).toEqual(["/src/package.json", "/src/node_modules", "/src/dist"]);
  });

  test("the build runs the package's own steps: npm ci, then npm run build (a script package.json has)", () => {
    const runs = dockerfile.filter((i) => i.op === "RUN" && dockerfile.indexOf(i) < dockerfile.indexOf(stages[1])).map((i) => i.args);
    const commands = runs.flatMap((r) => r.split("&&").map((c) => c.trim()));
    expect(commands.filter((c) => c.startsWith("npm "))).toEqual(["npm ci --no-audit --no-fund", "npm run build", "npm prune --omit=dev"]);
    for (const c of commands.filter((x) => x.startsWith("npm run "))) expect(Object.keys(scripts)).toContain(c.split(/\s+/)[2]);
    expect(scripts.build).toBe("tsc -p tsconfig.build.json");
    expect(commands).not.toContain("npm install");
  });

  test("runs as a non-root user, by number (Kubernetes' runAsNonRoot can check it)", () => {
    const users = runtime.filter((i) => i.op === "USER").map((i) => i.args);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    // Nothing after USER switches back.
    expect(runtime.slice(runtime.findIndex((i) => i.op === "USER")).filter((i) => i.op === "RUN")).toEqual([]);
  });

  test("the entrypoint runs dist/cli/bin.js (the package's bin) and the default command is `tierguard app`", () => {
    const json = (op: string) => JSON.parse(runtime.find((i) => i.op === op)!.args) as string[];
    expect(json("ENTRYPOINT")).toEqual(["node", "/app/dist/cli/bin.js"]);
    expect(json("CMD")).toEqual(["app"]);
    expect(JSON.parse(readFileSync("package.json", "utf8")).bin.tierguard).toBe("dist/cli/bin.js");
    expect(runtime.find((i) => i.op === "WORKDIR")!.args).toBe("/app");
    // The setup page reads app.yml next to dist/ (src/cli/app.ts: ../../app.yml from dist/cli/app.js).
    expect(runtime.some((i) => i.op === "COPY" && i.args.split(/\s+/).includes("app.yml"))).toBe(true);
  });
});

describe(".dockerignore", () => {
  test.each(["node_modules", "node_modules/probot/package.json", ".env", ".env.production", "tierguard.private-key.pem", "app.pem", "dist/cli/bin.js", ".git/config"])("excludes %s", (path) => {
    expect(isIgnored(path)).toBe(true);
  });

  test.each(["package.json", "package-lock.json", "src/cli/bin.ts", "tsconfig.build.json", "app.yml", "LICENSE"])("keeps %s", (path) => {
    expect(isIgnored(path)).toBe(false);
  });
});

describe("LICENSE and CHANGELOG", () => {
  test("LICENSE is the license package.json names: the Apache License 2.0, whole", () => {
    expect(JSON.parse(readFileSync("package.json", "utf8")).license).toBe("Apache-2.0");
    const text = readFileSync("LICENSE", "utf8");
    expect(text.trim().split("\n")[0].trim()).toBe("Apache License");
    expect(text).toContain("Version 2.0, January 2004");
    for (let n = 1; n <= 9; n++) expect(text).toMatch(new RegExp(`^\\s*${n}\\. [A-Z]`, "m"));
    expect(text).toContain("END OF TERMS AND CONDITIONS");
    expect(text).toMatch(/Copyright \d{4} The tierguard Authors/);
  });

  test("CHANGELOG.md starts with the unreleased version package.json carries", () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8"));
    expect(readFileSync("CHANGELOG.md", "utf8").split("\n").find((l) => l.startsWith("## "))).toBe(`## Unreleased (${version})`);
  });
});
