import { describe, expect, test } from "@jest/globals";
import { COMMAND_NAMES, modulesFor, VERSION } from "../../src/cli/main.js";
import { expectNoStackTrace, INVENTORY, run, SNAPSHOT, templateArgs } from "./helpers.js";

/** `--help` on every command, and usage errors: exit 2, one message on stderr, nothing on stdout, no stack trace. */
const POLICY_INPUT = ["--calico-version", "--namespace", "--max-file-bytes", "--max-document-bytes", "--max-alias-count"];

const help: Array<[string, string[]]> = [
  ["validate", ["<paths...>", "--output", "--quiet", ...POLICY_INPUT]],
  ["simulate", ["--policies", "--flows", "--inventory", "--output", "--compare-recorded", "--format", "--staged-delete", "--max-line-bytes", "--max-problems", ...POLICY_INPUT]],
  ["explain", ["--policies", "--inventory", "--from", "--to", "--port", "--protocol", "--from-labels", "--to-labels", "--output", "--staged-delete", ...POLICY_INPUT]],
  ["select", ["--policies", "--inventory", "--selector", "--policy", "--output", ...POLICY_INPUT]],
];

describe("--help", () => {
  test.each(help)("%s --help names every option", async (command, options) => {
    const r = await run([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")[0]).toBe(`Usage: tierguard ${command} [options]${command === "validate" ? " <paths...>" : ""}`);
    for (const o of options) expect(r.stdout).toContain(o);
  });

  test.each(help.map(([c]) => c))("help %s is the same as %s --help", async (command) => {
    const viaHelp = await run(["help", command]);
    const viaFlag = await run([command, "--help"]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  test("tierguard --help lists the four commands", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["validate", "simulate", "explain", "select"]) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
  });

  test("tierguard --help lists every command, and main.ts knows every command by name to load its module alone", async () => {
    const r = await run(["--help"]);
    const listed = [...r.stdout.matchAll(/^  ([a-z]+) /gm)].map((m) => m[1]).filter((c) => c !== "help");
    expect(listed).toEqual(COMMAND_NAMES);
    expect(listed).toEqual(expect.arrayContaining(["validate", "review", "app", "agent", "sync", "stage", "unstage", "controller", "init"]));
  });

  test("a command's name loads its module alone; help, options first and anything else load them all", () => {
    expect(modulesFor(["validate", "tiers"])).toHaveLength(1);
    expect(modulesFor(["unstage", "--pr", "1"])).toEqual(modulesFor(["sync"]));
    for (const argv of [[], ["--help"], ["help", "validate"], ["-V"], ["simulat"]]) expect(modulesFor(argv)).toHaveLength(COMMAND_NAMES.length - 2);
  });

  test("a mistyped command: commander's did you mean sees every command", async () => {
    const r = await run(["unstag"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown command 'unstag'\n(Did you mean unstage?)");
  });

  test("--version prints the version", async () => {
    expect(await run(["--version"])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  test("no arguments at all is a usage error: the help goes to stderr", async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: tierguard [options] [command]");
  });
});

const sim = (...rest: string[]) => templateArgs("simulate", "--flows", SNAPSHOT, ...rest);
const explain = (...rest: string[]) => templateArgs("explain", "--inventory", INVENTORY, "--from", "boutique/frontend", "--to", "boutique/adservice", ...rest);
const select = (...rest: string[]) => templateArgs("select", "--inventory", INVENTORY, ...rest);

/** [name, argv, what stderr must contain]. */
const usageErrors: Array<[string, string[], string | RegExp]> = [
  ["an unknown command", ["frobnicate"], "unknown command 'frobnicate'"],
  ["an unknown option", ["validate", "--bogus", "tiers"], "unknown option '--bogus'"],
  ["validate without a path", ["validate"], "missing required argument 'paths'"],
  ["validate --output yaml", ["validate", "-o", "yaml", "tiers"], '--output must be one of text, json, not "yaml"'],
  ["validate --calico-version 2.0", ["validate", "--calico-version", "2.0", "tiers"], '--calico-version: "2.0" is not a Calico version'],
  ["validate --calico-version banana", ["validate", "--calico-version", "banana", "tiers"], "write it as 3.31, 3.32 or v3.32.1"],
  ["validate --max-alias-count ten", ["validate", "--max-alias-count", "ten", "tiers"], '--max-alias-count must be a positive whole number, not "ten"'],
  ["validate --max-file-bytes 0", ["validate", "--max-file-bytes", "0", "tiers"], '--max-file-bytes must be a positive whole number, not "0"'],
  ["validate --max-document-bytes 1e6", ["validate", "--max-document-bytes", "1e6", "tiers"], '--max-document-bytes must be a positive whole number, not "1e6"'],
  ["simulate without --flows", templateArgs("simulate"), "required option '--flows <file>' not specified"],
  ["simulate without --policies", ["simulate", "--flows", SNAPSHOT], "required option '--policies <paths...>' not specified"],
  ["simulate --output xml", sim("--output", "xml"), '--output must be one of text, json, summary, not "xml"'],
  ["simulate --format csv", sim("--format", "csv"), "Allowed choices are auto, enterprise, goldmane"],
  ["simulate --staged-delete maybe", sim("--staged-delete", "maybe"), "Allowed choices are preview, ignore"],
  ["simulate --max-line-bytes 1k", sim("--max-line-bytes", "1k"), '--max-line-bytes must be a positive whole number, not "1k"'],
  ["simulate --max-problems -1", sim("--max-problems", "-1"), '--max-problems must be a positive whole number, not "-1"'],
  ["simulate --calico-version 3", sim("--calico-version", "3"), '--calico-version: "3" is not a Calico version'],
  ["explain without --to", templateArgs("explain", "--from", "boutique/frontend"), "required option '--to <endpoint>' not specified"],
  ["explain --port 0", explain("--port", "0"), '--port must be 1-65535, not "0"'],
  ["explain --port http", explain("--port", "http"), '--port must be 1-65535, not "http"'],
  ["explain --port 65536", explain("--port", "65536"), '--port must be 1-65535, not "65536"'],
  ["explain --port with ICMP", explain("--port", "80", "--protocol", "ICMP"), "--port applies to TCP, UDP and SCTP; ICMP has no ports"],
  ["explain TCP without --port", explain(), "--port is required for TCP (a connection has a destination port)"],
  ["explain --protocol FOO", explain("--port", "80", "--protocol", "FOO"), '--protocol "FOO" is not a protocol name or number'],
  ["explain --from-labels without =", explain("--port", "80", "--from-labels", "app"), "--from-labels:"],
  ["explain --output yaml", explain("--port", "80", "-o", "yaml"), '--output must be one of text, json, not "yaml"'],
  ["select without --inventory", templateArgs("select", "--selector", "all()"), "required option '--inventory <file>' not specified"],
  ["select with neither --selector nor --policy", select(), "give exactly one of --selector and --policy"],
  ["select with both --selector and --policy", select("--selector", "all()", "--policy", "frontend"), "give exactly one of --selector and --policy"],
  ["select with an invalid selector", select("--selector", "app = 'x'"), "--selector: '=' is not an operator; use '==' to compare (at character 5: = 'x')"],
  ["select with a selector that ends early", select("--selector", "app == 'x' &&"), /--selector: .* \(at character 14, the end of the selector\)/],
  ["select --output csv", select("--selector", "all()", "-o", "csv"), '--output must be one of text, json, not "csv"'],
  ["a mistyped required option: did you mean", templateArgs("simulate", "--flow", SNAPSHOT), "tierguard: --flow is not an option of simulate; did you mean --flows?\n"],
  ["a mistyped option: commander's own did you mean", sim("--inventroy", INVENTORY), "(Did you mean --inventory?)"],
  ["explain --from that is neither a pod nor an address", explain("--port", "80", "--from", "1.2.3"), 'tierguard: --from: "1.2.3" is neither NAMESPACE/POD nor an IP address\n'],
  ["explain --from a pod the inventory lacks", explain("--port", "80", "--from", "boutique/nope"), "tierguard: --from: no pod boutique/nope in the inventory\n"],
  ["select --policy without --policies", ["select", "--inventory", INVENTORY, "--policy", "frontend"], "tierguard: --policy needs --policies (the files that define it)\n"],
];

describe("usage errors exit 2 with a message on stderr", () => {
  test.each(usageErrors)("%s", async (_name, argv, message) => {
    const r = await run(argv);
    expectNoStackTrace(r);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    if (typeof message === "string") expect(r.stderr).toContain(message);
    else expect(r.stderr).toMatch(message);
  });
});
