import { parseCalicoVersion, type CalicoVersion } from "../policy/index.js";

/**
 * The controller's configuration: flags first, then the environment (the Deployment sets both), defaulted, validated
 * with every problem collected (one line each), then used. Pure: the private key is read by the caller-supplied
 * `readText`, so tests need no files.
 */
export type GitHubAuth =
  | { kind: "token"; token: string }
  | { kind: "app"; appId: number; privateKey: string; /** Undefined: looked up from the repository. */ installationId?: number };

export interface ControllerConfig {
  environment: string;
  repo: { owner: string; repo: string };
  auth: GitHubAuth;
  /** GitHub's REST API root: https://api.github.com, or GitHub Enterprise Server's /api/v3. */
  apiUrl: string;
  /** Undefined: in-cluster configuration (the pod's service account), else KUBECONFIG's default loading. */
  kubeconfig?: string;
  calicoVersion: CalicoVersion;
  intervalMs: number;
  resyncMs: number;
  stallMs: number;
  listen: { host: string; port: number };
  logUrl?: string;
  logLevel: "debug" | "info" | "warn" | "error";
  /** A managed object edited or deleted by hand: "restore" Git's version (reported too), or "report" only. */
  drift: "report" | "restore";
}

/** The flags as commander hands them over (strings, unparsed). */
export interface ControllerFlags {
  environment?: string;
  repo?: string;
  kubeconfig?: string;
  calicoVersion?: string;
  interval?: string;
  resync?: string;
  stallTimeout?: string;
  listen?: string;
  logUrl?: string;
  appId?: string;
  installationId?: string;
  privateKeyFile?: string;
  drift?: string;
}

export const CONTROLLER_DEFAULTS = { interval: "60s", resync: "10m", stallTimeout: "15m", listen: ":8080", calicoVersion: "3.32", drift: "restore" } as const;

/** "90s", "5m", "1h", "250ms", or whole seconds ("60"); undefined when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"]!;
  return Number.isSafeInteger(n * unit) ? n * unit : undefined;
}

/** ":8080" (every address), "127.0.0.1:8080", "[::1]:8080" or "8080". */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(text.trim());
  if (!m || Number(m[2]) > 65535) return undefined;
  const host = !m[1] ? "0.0.0.0" : m[1].startsWith("[") ? m[1].slice(1, -1) : m[1];
  return { host, port: Number(m[2]) };
}

const LEVELS = ["debug", "info", "warn", "error"] as const;

export function parseControllerConfig(flags: ControllerFlags, env: NodeJS.ProcessEnv, readText: (path: string) => string): { config?: ControllerConfig; problems: string[] } {
  const problems: string[] = [];
  const environment = flags.environment ?? env.TIERGUARD_ENVIRONMENT;
  if (!environment) problems.push("--environment is required: the environment whose deployments this controller takes (tierguard.yaml's clusters[].environment)");
  const repoText = flags.repo ?? env.TIERGUARD_REPO;
  const repoMatch = repoText ? /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(repoText) : null;
  if (!repoText) problems.push("--repo is required: the policy repository, as OWNER/NAME");
  else if (!repoMatch) problems.push(`--repo must be OWNER/NAME, not "${repoText}"`);
  const duration = (flag: string, text: string, least: number): number => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < least) problems.push(`${flag} must be a duration of at least ${least / 1000}s such as 60s, 5m or 1h, not "${text}"`);
    return ms ?? 0;
  };
  const intervalMs = duration("--interval", flags.interval ?? env.TIERGUARD_INTERVAL ?? CONTROLLER_DEFAULTS.interval, 5_000);
  const resyncText = flags.resync ?? env.TIERGUARD_RESYNC ?? CONTROLLER_DEFAULTS.resync;
  const resyncMs = resyncText === "0" ? 0 : duration("--resync", resyncText, 60_000);
  const stallMs = duration("--stall-timeout", flags.stallTimeout ?? CONTROLLER_DEFAULTS.stallTimeout, 60_000);
  if (intervalMs && stallMs && stallMs <= 2 * intervalMs) problems.push(`--stall-timeout must be more than twice --interval, or a healthy loop waiting for its next poll would look stalled`);
  const listenText = flags.listen ?? env.TIERGUARD_LISTEN ?? CONTROLLER_DEFAULTS.listen;
  const listen = parseListen(listenText);
  if (!listen) problems.push(`--listen must be [HOST]:PORT such as :8080, not "${listenText}"`);
  const version = parseCalicoVersion(flags.calicoVersion ?? env.TIERGUARD_CALICO_VERSION ?? CONTROLLER_DEFAULTS.calicoVersion);
  if ("error" in version) problems.push(`--calico-version: ${version.error}`);
  const logLevel = (env.LOG_LEVEL ?? "info") as ControllerConfig["logLevel"];
  if (!LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LEVELS.join(", ")}, not "${env.LOG_LEVEL}"`);
  if (flags.logUrl !== undefined && !/^https:\/\/\S+$/.test(flags.logUrl)) problems.push(`--log-url must be an https:// URL, not "${flags.logUrl}"`);
  const drift = flags.drift ?? env.TIERGUARD_DRIFT ?? CONTROLLER_DEFAULTS.drift;
  if (drift !== "report" && drift !== "restore") problems.push(`--drift must be report or restore, not "${drift}"`);
  const apiUrl = githubApiUrl(env, problems);
  const auth = githubAuth(flags, env, readText, problems);
  if (problems.length > 0 || !auth || !listen || "error" in version) return { problems };
  return {
    problems,
    config: {
      environment: environment!,
      repo: { owner: repoMatch![1], repo: repoMatch![2] },
      auth,
      apiUrl,
      ...(flags.kubeconfig ?? env.KUBECONFIG ? { kubeconfig: flags.kubeconfig ?? env.KUBECONFIG } : {}),
      calicoVersion: version,
      intervalMs,
      resyncMs,
      stallMs,
      listen,
      ...(flags.logUrl ? { logUrl: flags.logUrl } : {}),
      logLevel,
      drift: drift as ControllerConfig["drift"],
    },
  };
}

/** GITHUB_API_URL (as in Actions), else GHE_HOST and GHE_PROTOCOL (as `tierguard app`), else github.com. */
function githubApiUrl(env: NodeJS.ProcessEnv, problems: string[]): string {
  if (env.GITHUB_API_URL) {
    if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(env.GITHUB_API_URL)) problems.push(`GITHUB_API_URL must be a URL such as https://github.example.com/api/v3, not "${env.GITHUB_API_URL}"`);
    return env.GITHUB_API_URL.replace(/\/+$/, "");
  }
  if (env.GHE_HOST) {
    if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(env.GHE_HOST)) problems.push(`GHE_HOST must be a host name such as github.example.com (no scheme, no path), not "${env.GHE_HOST}"`);
    const protocol = env.GHE_PROTOCOL ?? "https";
    if (!["http", "https"].includes(protocol)) problems.push(`GHE_PROTOCOL must be https or http, not "${protocol}"`);
    return `${protocol}://${env.GHE_HOST}/api/v3`;
  }
  return "https://api.github.com";
}

/** A token, or the App's id and key (and installation); exactly one of the two. */
function githubAuth(flags: ControllerFlags, env: NodeJS.ProcessEnv, readText: (path: string) => string, problems: string[]): GitHubAuth | undefined {
  const appId = flags.appId ?? env.APP_ID;
  const token = env.GITHUB_TOKEN;
  if (token && appId) return void problems.push("both GITHUB_TOKEN and APP_ID are set: authenticate as the App installation or with a token, not both");
  if (token) return { kind: "token", token };
  if (!appId) return void problems.push("no GitHub credentials: set APP_ID with PRIVATE_KEY or PRIVATE_KEY_PATH (the App installation), or GITHUB_TOKEN");
  if (!/^\d+$/.test(appId)) problems.push(`APP_ID must be the App's numeric id, not "${appId}"`);
  const installation = flags.installationId ?? env.INSTALLATION_ID;
  if (installation !== undefined && !/^\d+$/.test(installation)) problems.push(`INSTALLATION_ID must be a number, not "${installation}"`);
  const privateKey = keyText(flags, env, readText, problems);
  if (!privateKey || !/^\d+$/.test(appId) || (installation !== undefined && !/^\d+$/.test(installation))) return undefined;
  return { kind: "app", appId: Number(appId), privateKey, ...(installation !== undefined ? { installationId: Number(installation) } : {}) };
}

function keyText(flags: ControllerFlags, env: NodeJS.ProcessEnv, readText: (path: string) => string, problems: string[]): string | undefined {
  const path = flags.privateKeyFile ?? env.PRIVATE_KEY_PATH;
  let text: string;
  if (env.PRIVATE_KEY && !flags.privateKeyFile) text = env.PRIVATE_KEY.replace(/\\n/g, "\n");
  else if (path) {
    try {
      text = readText(path);
    } catch (e) {
      return void problems.push(`PRIVATE_KEY_PATH: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  } else return void problems.push("APP_ID is set but neither PRIVATE_KEY nor PRIVATE_KEY_PATH is: give the App's private key");
  const pem = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
  if (pem.test(text)) return text;
  const decoded = Buffer.from(text, "base64").toString("utf8");
  if (pem.test(decoded)) return decoded;
  return void problems.push("the private key is not a PEM private key (nor base64 of one): give the whole .pem file the App's settings page generated");
}
