import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Log } from "../contracts/index.js";
import { CONTROLLER_DEFAULTS, parseControllerConfig, type ControllerConfig, type ControllerFlags } from "../controller/config.js";
import type { DeploymentFeed } from "../controller/feed.js";
import type { ControllerLoop } from "../controller/loop.js";
import type { ClusterWiring, ClusterWiringFactory } from "../controller/loop-types.js";
import type { ControllerServer } from "../controller/server.js";
import { EXIT_OK, InputError, UsageError, type CliIo } from "./io.js";
import { kubeWiring } from "./controller-wiring.js";

/**
 * `tierguard controller`: the long-running promotion controller for one environment. It polls the App's GitHub
 * Deployments for its environment and the default branch (src/controller/loop.ts), serves /healthz, /readyz and
 * /metrics, and logs JSON lines. Configuration: flags, else the environment; every problem is one line and exit 2.
 * GitHub (src/github) and the loop load only when the command runs. The Kubernetes half (the actions over sync,
 * stage and unstage, and the cluster probe) is `kubeWiring` (controller-wiring.ts); tests pass their own `wiring`.
 */
export const CONTROLLER_ENV_HELP = `
Environment (a flag wins over its variable):
  GITHUB_TOKEN             a token with deployments:write and contents:read on the repository, or:
  APP_ID                   the GitHub App's id (--app-id), with
  PRIVATE_KEY              the App's private key (PEM, \\n escapes, or base64), or PRIVATE_KEY_PATH (--private-key-file)
  INSTALLATION_ID          the App's installation (--installation-id; default: looked up on --repo)
  GITHUB_API_URL           GitHub Enterprise Server's API, e.g. https://github.example.com/api/v3 (or GHE_HOST/GHE_PROTOCOL)
  TIERGUARD_ENVIRONMENT, TIERGUARD_REPO, TIERGUARD_INTERVAL, TIERGUARD_RESYNC, TIERGUARD_DRIFT, TIERGUARD_LISTEN, TIERGUARD_CALICO_VERSION
  KUBECONFIG               the kubeconfig (--kubeconfig); default: the pod's service account (in cluster)
  LOG_LEVEL                debug, info, warn or error (default info); the log is JSON lines on stdout

Endpoints: GET /healthz (the loop runs), /readyz (the last poll reached GitHub and the cluster), /metrics.
See deploy/README.md, "The controller".
`;

export interface ControllerCommandDeps {
  wiring?: ClusterWiringFactory;
  /** The GitHub half; tests pass a feed in memory. Default: the GitHub API as configured. */
  feed?: (config: ControllerConfig, log: Log) => Promise<DeploymentFeed>;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Node's process metrics on /metrics too. Default true (tests turn them off: they start timers). */
  processMetrics?: boolean;
}

export interface RunningController {
  config: ControllerConfig;
  loop: ControllerLoop;
  server: ControllerServer;
  /** Resolves when the loop has stopped and everything is closed. */
  done: Promise<void>;
  stop(): void;
}

async function githubFeed(config: ControllerConfig, log: Log): Promise<DeploymentFeed> {
  const { controllerGitHubApi } = await import("../github/controller-client.js");
  const { GitHubDeploymentFeed } = await import("../github/deployment-feed.js");
  const api = await controllerGitHubApi({ auth: config.auth, baseUrl: config.apiUrl, repo: config.repo, log }).catch((e: Error) => {
    // Only the App's installation lookup talks to GitHub here: a wrong App id, key or repository, said in one line.
    throw new InputError(`cannot find the App's installation on ${config.repo.owner}/${config.repo.repo}: ${e.message.split("\n")[0]}`);
  });
  return new GitHubDeploymentFeed({ api, repo: config.repo });
}

/** Checks the configuration, connects GitHub and the cluster, starts the HTTP endpoints and the loop. */
export async function startController(flags: ControllerFlags, io: CliIo, deps: ControllerCommandDeps = {}): Promise<RunningController> {
  const { problems, config } = parseControllerConfig(flags, deps.env ?? process.env, (p) => readFileSync(resolve(io.cwd, p), "utf8"));
  if (!config) throw new UsageError(`cannot start the controller:\n  - ${problems.join("\n  - ")}\n(run tierguard controller --help)`);
  const [{ ControllerLoop }, { ControllerMetrics }, { startControllerServer }, { jsonLog }] = await Promise.all([
    import("../controller/loop.js"),
    import("../controller/metrics.js"),
    import("../controller/server.js"),
    import("../controller/loop-log.js"),
  ]);
  const log = jsonLog({ write: (l) => io.stdout(l), level: config.logLevel, bindings: { environment: config.environment, repo: `${config.repo.owner}/${config.repo.repo}` } });
  const metrics = new ControllerMetrics({ processMetrics: deps.processMetrics ?? true });
  const feed = await (deps.feed ?? githubFeed)(config, log);
  const wiring: ClusterWiring = await (deps.wiring ?? kubeWiring)({ config, log, metrics });
  const loop = new ControllerLoop({ environment: config.environment, feed, actions: wiring.actions, probeCluster: () => wiring.probeCluster(), checkNodes: wiring.nodes ? () => wiring.nodes!() : undefined, metrics, log, intervalMs: config.intervalMs, resyncMs: config.resyncMs, stallMs: config.stallMs, logUrl: config.logUrl });
  let server: ControllerServer;
  try {
    server = await startControllerServer({ ...config.listen, health: () => loop.health(), metrics: () => metrics.text(), metricsContentType: metrics.contentType });
  } catch (e) {
    await wiring.close?.();
    throw new InputError(`cannot listen on ${config.listen.host}:${config.listen.port}: ${(e as Error).message}`);
  }
  const abort = new AbortController();
  log.info({ interval: config.intervalMs / 1000, listen: `${config.listen.host}:${server.port}`, auth: config.auth.kind }, "controller started");
  // The drift watches list in the background (they retry until the cluster answers); the loop does not wait for them.
  wiring.start?.({ signal: abort.signal, requestRestore: () => loop.requestRestore() }).catch((e: Error) => log.warn({ err: e.message }, "drift: the watches could not start; drift is found at the periodic resync only"));
  const done = loop.run(abort.signal).finally(async () => {
    await server.close();
    await wiring.close?.();
    log.info("controller stopped");
  });
  return { config, loop, server, done, stop: () => abort.abort() };
}

export function registerController(program: Command, io: CliIo, setExit: (code: number) => void, deps: ControllerCommandDeps = {}): void {
  program
    .command("controller")
    .description("run the promotion controller for one environment: stage, promote and clean up from the App's GitHub deployments")
    .option("--environment <name>", "the environment whose deployments to take (tierguard.yaml clusters[].environment)")
    .option("--repo <owner/name>", "the policy repository on GitHub")
    .option("--kubeconfig <file>", "kubeconfig of the cluster (default: in-cluster service account)")
    .option("--calico-version <version>", `Calico version model: 3.31 (tier-prefixed names) or 3.32+ (default ${CONTROLLER_DEFAULTS.calicoVersion})`)
    .option("--interval <duration>", `time between two polls, e.g. 30s, 2m (default ${CONTROLLER_DEFAULTS.interval})`)
    .option("--resync <duration>", `full sync of the default branch this often even without a change, for drift; 0: never (default ${CONTROLLER_DEFAULTS.resync})`)
    .option("--drift <mode>", `a managed object edited or deleted by hand: restore (Git's version, reported too) or report only (default ${CONTROLLER_DEFAULTS.drift})`)
    .option("--stall-timeout <duration>", `/healthz fails when the loop has not moved this long (default ${CONTROLLER_DEFAULTS.stallTimeout})`)
    .option("--listen <[host]:port>", `address of /healthz, /readyz and /metrics (default ${CONTROLLER_DEFAULTS.listen})`)
    .option("--log-url <url>", "link put on every deployment status (your log search)")
    .option("--app-id <id>", "the GitHub App's id (or APP_ID)")
    .option("--installation-id <id>", "the App's installation id (or INSTALLATION_ID; default: looked up)")
    .option("--private-key-file <file>", "the App's private key file (or PRIVATE_KEY_PATH)")
    .addHelpText("after", CONTROLLER_ENV_HELP)
    .action(async (flags: ControllerFlags) => {
      const running = await startController(flags, io, deps);
      const stop = (signal: string) => {
        io.stderr(`tierguard controller: ${signal}: stopping after the poll under way\n`);
        running.stop();
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
      await running.done;
      setExit(EXIT_OK);
    });
}
