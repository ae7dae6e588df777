import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { parse, parseAllDocuments } from "yaml";
import { checkAppEnv } from "../../../src/cli/app.js";
import { tierguardApp } from "../../../src/github/app/index.js";
import { privateKey } from "../../helpers/probot-app.js";

/**
 * app.yml and deploy/app/ stay in step with the code: the manifest subscribes to exactly the events the App
 * handles and asks for exactly the documented permissions; the Kubernetes manifests run `tierguard app` with the
 * variables it checks, probes on Probot's health route, limits and a non-root, read-only container.
 */
describe("app.yml", () => {
  const manifest = parse(readFileSync("app.yml", "utf8"));

  test("subscribes to exactly the events the App has handlers for", () => {
    const handled: string[] = [];
    const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet };
    tierguardApp()({ log: quiet, on: (names: string[]) => void handled.push(...names), auth: async () => ({}) } as never, { cwd: ".", addHandler: () => {} });
    expect([...new Set(handled.map((n) => n.split(".")[0]))].sort()).toEqual([...manifest.default_events].sort());
    expect(handled.sort()).toEqual([
      "check_run.rerequested",
      "deployment_status.created",
      "issue_comment.created",
      "pull_request.closed",
      "pull_request.edited",
      "pull_request.opened",
      "pull_request.ready_for_review",
      "pull_request.reopened",
      "pull_request.synchronize",
      "pull_request_review.dismissed",
      "pull_request_review.submitted",
    ]);
  });

  test("least privilege: no issues permission, no contents write", () => {
    expect(manifest.default_permissions).toEqual({ metadata: "read", contents: "read", pull_requests: "write", checks: "write", members: "read", deployments: "write" });
    expect(manifest.public).toBe(false);
  });
});

describe("deploy/app", () => {
  const docs = (file: string) => parseAllDocuments(readFileSync(`deploy/app/${file}`, "utf8")).map((d) => d.toJS());
  const [deployment] = docs("deployment.yaml");
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  test("runs `tierguard app` with the variables it checks, the key from the Secret as a file", () => {
    expect(container.args).toEqual(["app"]);
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value ?? "(from the Secret)"]));
    expect(env).toEqual({ NODE_ENV: "production", HOST: "0.0.0.0", PORT: "3000", LOG_LEVEL: "info", LOG_FORMAT: "json", PRIVATE_KEY_PATH: "/var/run/secrets/tierguard/private-key.pem", APP_ID: "(from the Secret)", WEBHOOK_SECRET: "(from the Secret)" });
    const filled = { ...env, APP_ID: "1", WEBHOOK_SECRET: "x", PRIVATE_KEY: privateKey(), PRIVATE_KEY_PATH: undefined };
    expect(checkAppEnv(filled as NodeJS.ProcessEnv).problems).toEqual([]);
    const [secret] = docs("secret.example.yaml");
    expect(Object.keys(secret.stringData).sort()).toEqual(["APP_ID", "WEBHOOK_SECRET", "private-key.pem"]);
  });

  test("readiness on /readyz (key and GitHub), liveness on /healthz, resource limits, a non-root read-only container, no Kubernetes API token", () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.readinessProbe.timeoutSeconds).toBeGreaterThan(5); // /readyz gives GitHub 5 s
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(Object.keys(container.resources.limits).sort()).toEqual(["cpu", "ephemeral-storage", "memory"]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain("/tmp");
    const [sa] = docs("serviceaccount.yaml");
    expect(sa).toEqual({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "tierguard-app" }, automountServiceAccountToken: false });
    const [kustomization] = docs("kustomization.yaml");
    expect(kustomization.resources).not.toContain("secret.example.yaml");
    for (const r of kustomization.resources) expect(docs(r).length).toBeGreaterThan(0);
  });
});
