import { describe, expect, test } from "@jest/globals";
import { generateKeyPairSync } from "node:crypto";
import { parseControllerConfig, parseDuration, parseListen, type ControllerFlags } from "../../src/controller/config.js";

/** The controller's configuration: defaults, flags over the environment, and every problem as its own line. */
const KEY = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const FLAGS: ControllerFlags = { environment: "production", repo: "acme/policies" };
const files: Record<string, string> = { "/keys/app.pem": KEY, "/keys/not-a-key": "hello" };
const read = (p: string) => {
  if (!(p in files)) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
  return files[p];
};

describe("durations and addresses", () => {
  test.each([
    ["60s", 60_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["250ms", 250],
    ["90", 90_000],
    ["1.5m", undefined],
    ["-5s", undefined],
    ["5 minutes", undefined],
  ])("%s → %s", (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each([
    [":8080", { host: "0.0.0.0", port: 8080 }],
    ["8080", { host: "0.0.0.0", port: 8080 }],
    ["127.0.0.1:9000", { host: "127.0.0.1", port: 9000 }],
    ["[::1]:9000", { host: "::1", port: 9000 }],
    [":70000", undefined],
    ["http://x:1", undefined],
  ])("%s → %j", (text, want) => expect(parseListen(text)).toEqual(want));
});

describe("parseControllerConfig", () => {
  test("a token and the two required flags: everything else defaulted", () => {
    expect(parseControllerConfig(FLAGS, { GITHUB_TOKEN: "ghp_x" }, read)).toEqual({
      problems: [],
      config: {
        environment: "production",
        repo: { owner: "acme", repo: "policies" },
        auth: { kind: "token", token: "ghp_x" },
        apiUrl: "https://api.github.com",
        calicoVersion: { model: "v3.32", text: "3.32", minor: 32 },
        intervalMs: 60_000,
        resyncMs: 600_000,
        stallMs: 900_000,
        listen: { host: "0.0.0.0", port: 8080 },
        logLevel: "info",
        drift: "restore",
      },
    });
  });

  test("the App installation from the environment, the key from a file, flags winning over variables, GitHub Enterprise", () => {
    const env = { APP_ID: "12", INSTALLATION_ID: "34", PRIVATE_KEY_PATH: "/keys/app.pem", TIERGUARD_ENVIRONMENT: "staging", TIERGUARD_INTERVAL: "2m", GHE_HOST: "github.example.com", KUBECONFIG: "/kube/config" };
    const { config, problems } = parseControllerConfig({ ...FLAGS, interval: "30s", resync: "0", listen: "127.0.0.1:9090", logUrl: "https://logs.example.com/q" }, env, read);
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ environment: "production", auth: { kind: "app", appId: 12, installationId: 34, privateKey: KEY }, apiUrl: "https://github.example.com/api/v3", kubeconfig: "/kube/config", intervalMs: 30_000, resyncMs: 0, listen: { host: "127.0.0.1", port: 9090 }, logUrl: "https://logs.example.com/q" });
    const b64 = parseControllerConfig(FLAGS, { APP_ID: "12", PRIVATE_KEY: Buffer.from(KEY).toString("base64") }, read);
    expect(b64.config?.auth).toEqual({ kind: "app", appId: 12, privateKey: KEY });
  });

  test.each<[string, ControllerFlags, NodeJS.ProcessEnv, string[]]>([
    ["nothing given", {}, {}, [
      "--environment is required: the environment whose deployments this controller takes (tierguard.yaml's clusters[].environment)",
      "--repo is required: the policy repository, as OWNER/NAME",
      "no GitHub credentials: set APP_ID with PRIVATE_KEY or PRIVATE_KEY_PATH (the App installation), or GITHUB_TOKEN",
    ]],
    ["both credentials", FLAGS, { GITHUB_TOKEN: "t", APP_ID: "1" }, ["both GITHUB_TOKEN and APP_ID are set: authenticate as the App installation or with a token, not both"]],
    ["bad values", { ...FLAGS, repo: "acme", interval: "1s", listen: "localhost", calicoVersion: "2.0", logUrl: "http://insecure" }, { GITHUB_TOKEN: "t", LOG_LEVEL: "trace" }, [
      '--repo must be OWNER/NAME, not "acme"',
      '--interval must be a duration of at least 5s such as 60s, 5m or 1h, not "1s"',
      '--listen must be [HOST]:PORT such as :8080, not "localhost"',
      expect.stringMatching(/^--calico-version: /) as unknown as string,
      'LOG_LEVEL must be one of debug, info, warn, error, not "trace"',
      '--log-url must be an https:// URL, not "http://insecure"',
    ]],
    ["a stall timeout a waiting loop would trip", { ...FLAGS, interval: "10m", stallTimeout: "15m" }, { GITHUB_TOKEN: "t" }, ["--stall-timeout must be more than twice --interval, or a healthy loop waiting for its next poll would look stalled"]],
    ["an App without a key", FLAGS, { APP_ID: "1" }, ["APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is: give the App's private key"]],
    ["a key file that is missing", FLAGS, { APP_ID: "1", PRIVATE_KEY_PATH: "/keys/gone.pem" }, ["PRIVATE_KEY_PATH: cannot read /keys/gone.pem (ENOENT)"]],
    ["a key file that is no key", { ...FLAGS, privateKeyFile: "/keys/not-a-key" }, { APP_ID: "x1", INSTALLATION_ID: "two" }, [
      'APP_ID must be the App\'s numeric id, not "x1"',
      'INSTALLATION_ID must be a number, not "two"',
      "the private key is not a PEM private key (nor base64 of one): give the whole .pem file the App's settings page generated",
    ]],
  ])("%s: each problem on its own line", (_name, flags, env, want) => {
    const { config, problems } = parseControllerConfig(flags, env, read);
    expect(config).toBeUndefined();
    expect(problems).toEqual(want);
  });
});
