/**
 * Jest's TypeScript transform: esbuild strips the types of one file at a time, as ts-jest did here (tsconfig.json
 * sets isolatedModules, so ts-jest only transpiled, never type-checked: `npm run typecheck` does that). esbuild does
 * it some tens of times faster than TypeScript's transpiler, which is most of a run with a cold cache (CI's first
 * run, or any file just edited). Output is ESM when jest runs ESM (it does: see jest.config.js), with a source map,
 * so failures point at the .ts lines.
 */
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const esbuild = require("esbuild");

// The compiler options esbuild honours that change emitted code; the rest only matter to the type checker.
const { compilerOptions } = JSON.parse(readFileSync(join(__dirname, "../../tsconfig.json"), "utf8"));
const tsconfigRaw = {
  compilerOptions: {
    target: compilerOptions.target,
    useDefineForClassFields: compilerOptions.useDefineForClassFields,
    experimentalDecorators: compilerOptions.experimentalDecorators,
    verbatimModuleSyntax: compilerOptions.verbatimModuleSyntax,
  },
};
const salt = JSON.stringify([esbuild.version, tsconfigRaw, readFileSync(__filename, "utf8")]);

module.exports = {
  getCacheKey(source, path, options) {
    return createHash("sha256").update(salt).update("\0").update(path).update("\0").update(String(options.supportsStaticESM)).update("\0").update(source).digest("hex");
  },
  process(source, path, options) {
    const { code, map } = esbuild.transformSync(source, {
      loader: "ts",
      format: options.supportsStaticESM ? "esm" : "cjs",
      target: "node20",
      sourcemap: "external",
      sourcefile: path,
      tsconfigRaw,
    });
    return { code, map };
  },
};
