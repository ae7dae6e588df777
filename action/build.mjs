// Bundles the Action (src/github/action/index.ts and everything it imports, node_modules included) into one ESM
// file, action/dist/index.mjs, committed so that `uses: <owner>/tierguard/action@<ref>` runs without npm install.
// Deterministic: the same sources, lock file and esbuild version give the same bytes (test/github/action/bundle.test.ts
// rebuilds to a temporary file and compares). Usage: node action/build.mjs [--outfile PATH]
import { build, version } from "esbuild";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// CommonJS dependencies (picomatch, js-yaml's helpers...) call require() for Node built-ins; an ESM file has no
// require, so give it one. Worker threads: src/io/replay-files.ts looks for replay-worker.js next to this file,
// finds none, and replays in one thread (see action/README.md).
const banner = [
  `// tierguard GitHub Action, bundled by action/build.mjs (npm run build:action) with esbuild ${version}. Do not edit:`,
  "// change src/github/action/ and rebuild.",
  'import { createRequire as __tierguardCreateRequire } from "node:module";',
  "const require = __tierguardCreateRequire(import.meta.url);",
].join("\n");

function options(outfile) {
  return {
    absWorkingDir: root,
    entryPoints: ["src/github/action/index.ts"],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: banner },
    legalComments: "eof",
    charset: "utf8",
    minify: false,
    sourcemap: false,
    logLevel: "warning",
  };
}

const i = process.argv.indexOf("--outfile");
const outfile = resolve(i > 0 ? process.argv[i + 1] : resolve(root, "action/dist/index.mjs"));
await build(options(outfile));
