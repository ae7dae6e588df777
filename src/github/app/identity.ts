import type { GitHubApi } from "../api.js";

/**
 * Who the App is on GitHub: its id (to find its own check runs) and its bot login (`<slug>[bot]`, to find its own
 * comments: anyone can type a hidden marker, only the App posts as its bot). Asked once with the App's own
 * credentials (`GET /app` needs the App's JWT, not an installation token) and kept; a failed lookup is retried next
 * time rather than remembered.
 */
export interface AppIdentityInfo {
  id: number;
  slug: string;
  /** `<slug>[bot]`. */
  login: string;
}

export class AppIdentity {
  private pending?: Promise<AppIdentityInfo>;

  constructor(private readonly appApi: () => Promise<GitHubApi>) {}

  get(): Promise<AppIdentityInfo> {
    if (!this.pending) {
      this.pending = this.lookup().catch((e) => {
        this.pending = undefined;
        throw e;
      });
    }
    return this.pending;
  }

  private async lookup(): Promise<AppIdentityInfo> {
    const api = await this.appApi();
    const { data } = await api.request<{ id: number; slug: string }>("GET /app");
    return { id: data.id, slug: data.slug, login: `${data.slug}[bot]` };
  }
}

export function sameLogin(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
