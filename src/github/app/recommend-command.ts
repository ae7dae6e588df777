import type { GitHubApi, Log, RepoRef } from "../api.js";
import { deliverRecommendation } from "../recommend-pr.js";
import { recommendOnGitHub } from "../recommend-run.js";
import type { SnapshotLimits } from "../snapshot.js";

/**
 * `/tierguard recommend <namespace>...`: learn on the repository's default branch from the flow snapshot
 * tierguard.yaml names, prove, and deliver as a pull request on `<recommend.branch>/<namespaces>`. Returns the reply.
 * Who may ask (write access) is decided before, as for every command.
 */
export interface RecommendCommandOptions {
  api: GitHubApi;
  repo: RepoRef;
  namespaces: string[];
  login: string;
  /** The pull request or issue the command was written on. */
  issue: number;
  snapshot?: SnapshotLimits;
  log: Log;
}

export async function recommendByComment(o: RecommendCommandOptions): Promise<string> {
  const rec = await recommendOnGitHub({ api: o.api, repo: o.repo, namespaces: o.namespaces, snapshot: o.snapshot, log: o.log });
  const who = `@${o.login}`;
  const asked = o.namespaces.map((n) => `\`${n}\``).join(", ");
  if (!rec.ok) return `${who}: tierguard could not recommend policies for ${asked}: ${rec.reason}.`;
  const learnt = new Set(rec.run.result.namespaces);
  const missing = o.namespaces.filter((n) => !rec.run.result.recommendation.policies.some((p) => p.namespace === n));
  const none = missing.length > 0 ? ` No flow of the snapshot involves ${missing.map((n) => `\`${n}\``).join(", ")}, so nothing was learnt there.` : "";
  if (learnt.size === 0 || rec.files.length === 0) return `${who}: nothing to recommend for ${asked}.${none}`;
  const branch = `${rec.config.recommend.branch}/${o.namespaces.join("-")}`.slice(0, 200);
  const d = await deliverRecommendation({ api: o.api, repo: o.repo, rec, branch, trigger: `${who} in #${o.issue}` });
  const proof = `The replay of ${rec.run.proof.tuples} flow tuples with it enforced denies ${rec.run.proof.newlyDenied.records} records allowed today.`;
  o.log.info({ delivery: d.kind, namespaces: o.namespaces }, "recommendation delivered");
  if (d.kind === "unchanged-repository") return `${who}: \`${rec.at.ref}\` already holds exactly this recommendation for ${asked}; nothing to change. ${proof}${none}`;
  const verb = d.kind === "created" ? "opened" : d.kind === "updated" ? "updated" : "checked (unchanged)";
  return `${who}: ${verb} #${d.number} with the recommended policies for ${asked} (branch \`${d.branch}\`). ${proof} Review it like any other pull request.${none}`;
}
