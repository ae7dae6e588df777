import { httpStatus, type GitHubApi, type RepoRef } from "./api.js";
import { recommendationBody, RECOMMENDATION_MARKER } from "./recommend-body.js";
import type { RecommendOutcome } from "./recommend-run.js";

/**
 * A recommendation delivered as a pull request: one commit on the recommendation branch, on top of the commit it
 * was learnt at, holding the recommended files, and one open pull request from that branch to the default branch,
 * created or updated in place (found by its branch, and by the marker in its body). Nothing is written when the
 * repository already holds exactly these files, and the branch is not moved when it already holds them.
 * The pull request is an ordinary one: tierguard reviews it like any other, the recommendation tier's owners
 * approve it, and once merged the controller stages and promotes it.
 */
export type Recommended = Extract<RecommendOutcome, { ok: true }>;

export interface DeliverOptions {
  api: GitHubApi;
  repo: RepoRef;
  rec: Recommended;
  /** The branch: tierguard.yaml's `recommend.branch`, plus the namespace a comment asked for. */
  branch: string;
  /** Who asked, and where, for the body: `@alice in #12`, `the schedule 0 6 * * 1`. */
  trigger: string;
}

export type Delivery =
  | { kind: "unchanged-repository" }
  | { kind: "created" | "updated" | "unchanged"; number: number; url: string; branch: string };

export async function deliverRecommendation(o: DeliverOptions): Promise<Delivery> {
  const { api, repo, rec } = o;
  const tree = await writeTree(api, repo, rec);
  if (tree === rec.at.tree) return { kind: "unchanged-repository" };
  const current = await branchTip(api, repo, o.branch);
  let moved = false;
  if (!current || current.tree !== tree || current.parent !== rec.at.sha) {
    const message = `tierguard: recommended ${rec.config.recommend.tier} policies (${rec.run.result.namespaces.join(", ") || "no namespace"})\n\nLearnt from ${rec.flows.join(", ")} at ${rec.at.sha.slice(0, 12)}; proven by replay to deny nothing allowed today.`;
    const { data: commit } = await api.request<{ sha: string }>("POST /repos/{owner}/{repo}/git/commits", { ...repo, message, tree, parents: [rec.at.sha] });
    if (current) await api.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...repo, ref: `heads/${o.branch}`, sha: commit.sha, force: true });
    else await api.request("POST /repos/{owner}/{repo}/git/refs", { ...repo, ref: `refs/heads/${o.branch}`, sha: commit.sha });
    moved = true;
  }
  const title = `tierguard: recommended isolation policies for ${rec.run.result.namespaces.join(", ") || "no namespace"}`;
  const body = recommendationBody(rec, o.trigger);
  const open = await api.request<Array<{ number: number; html_url: string; body?: string | null; title: string }>>("GET /repos/{owner}/{repo}/pulls", { ...repo, head: `${repo.owner}:${o.branch}`, state: "open", per_page: 10 });
  const mine = open.data.find((p) => (p.body ?? "").includes(RECOMMENDATION_MARKER)) ?? open.data[0];
  if (mine) {
    if (mine.body === body && mine.title === title) return { kind: moved ? "updated" : "unchanged", number: mine.number, url: mine.html_url, branch: o.branch };
    await api.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: mine.number, title, body });
    return { kind: "updated", number: mine.number, url: mine.html_url, branch: o.branch };
  }
  const { data: pr } = await api.request<{ number: number; html_url: string }>("POST /repos/{owner}/{repo}/pulls", { ...repo, title, body, head: o.branch, base: rec.at.ref });
  return { kind: "created", number: pr.number, url: pr.html_url, branch: o.branch };
}

/** The commit's tree with the recommended files written over it (GitHub stores the blobs from `content`). */
async function writeTree(api: GitHubApi, repo: RepoRef, rec: Recommended): Promise<string> {
  const entries = rec.files.map((f) => ({ path: f.path, mode: "100644", type: "blob", content: f.text }));
  const { data } = await api.request<{ sha: string }>("POST /repos/{owner}/{repo}/git/trees", { ...repo, base_tree: rec.at.tree, tree: entries });
  return data.sha;
}

/** The branch's tip commit: its tree and first parent; undefined when there is no such branch. */
async function branchTip(api: GitHubApi, repo: RepoRef, branch: string): Promise<{ sha: string; tree: string; parent?: string } | undefined> {
  try {
    const { data: ref } = await api.request<{ object: { sha: string } }>("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...repo, ref: `heads/${branch}` });
    const { data: c } = await api.request<{ sha: string; tree: { sha: string }; parents: Array<{ sha: string }> }>("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...repo, commit_sha: ref.object.sha });
    return { sha: c.sha, tree: c.tree.sha, parent: c.parents[0]?.sha };
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    throw e;
  }
}
