import type { TierguardConfig } from "../review/index.js";
import type { Principal } from "../review/index.js";
import { httpStatus, type GitHubApi, type RepoRef } from "./api.js";

/**
 * Who the author and the approvers are, as ownership needs them: their memberships of the teams tierguard.yaml
 * names (only those are asked about), and the approvals standing on the pull request.
 */
export class TeamsUnverifiable extends Error {}

/** The `org/team` principals tierguard.yaml mentions (owners and admins). */
export function configTeams(config: TierguardConfig): string[] {
  const all = [...config.admins, ...[...config.tiers.values()].flatMap((t) => t.owners)];
  return [...new Set(all.filter((p) => p.includes("/")))];
}

/**
 * The teams among `teams` that `login` is an active member of. A 403 (the token cannot read teams: the Action's
 * GITHUB_TOKEN) throws TeamsUnverifiable rather than pretending the user is in no team.
 */
export async function memberTeams(api: GitHubApi, login: string, teams: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const team of teams) {
    const [org, slug] = team.split("/");
    try {
      const { data } = await api.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", { org, team_slug: slug, username: login });
      if (data.state === "active") out.push(team);
    } catch (e) {
      const status = httpStatus(e);
      if (status === 404) continue; // not a member (or no such team)
      if (status === 403 || status === 401) throw new TeamsUnverifiable(`the token cannot read the members of ${team} (HTTP ${status})`);
      throw e;
    }
  }
  return out;
}

/** Reviewers whose latest review approves (a later "changes requested" or a dismissal withdraws it). */
export async function approvers(api: GitHubApi, repo: RepoRef, pull: number, author: string): Promise<string[]> {
  const reviews = await api.paginate<{ user: { login: string } | null; state: string }>("GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews", { ...repo, pull_number: pull, per_page: 100 });
  const latest = new Map<string, string>();
  for (const r of reviews) {
    if (!r.user || r.state === "COMMENTED" || r.state === "PENDING") continue;
    latest.set(r.user.login, r.state);
  }
  return [...latest].filter(([login, state]) => state === "APPROVED" && login.toLowerCase() !== author.toLowerCase()).map(([login]) => login);
}

export async function principal(api: GitHubApi, login: string, teams: readonly string[]): Promise<Principal> {
  return { login, teams: await memberTeams(api, login, teams) };
}
