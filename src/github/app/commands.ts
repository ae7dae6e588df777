import { parseFlowProtocol, protocolName } from "../../engine/index.js";
import { PORT_PROTOCOLS } from "../../policy/index.js";
import { httpStatus, type GitHubApi, type RepoRef } from "../api.js";

/**
 * Comment commands: a comment whose first non-blank line starts with `/tierguard`. Anything after that line is
 * ignored (people explain themselves below the command). Whitespace and case of the verb are forgiven; arguments
 * are not guessed at: a command that does not parse gets a short help reply instead.
 *
 *   /tierguard recheck
 *   /tierguard explain <ns/pod|ip> -> <ns/pod|ip>:<port>[/proto]
 *   /tierguard ack-impact
 *   /tierguard recommend <namespace> [<namespace>...]
 *   /tierguard rollback      (on a merged pull request: opens a revert pull request)
 */
export type Command =
  | { kind: "recheck" }
  | { kind: "recommend"; namespaces: string[] }
  | { kind: "ack-impact" }
  | { kind: "rollback" }
  | { kind: "explain"; from: string; to: string; port: number; protocol: number; protocolText: string }
  | { kind: "invalid"; reason: string };

export const COMMAND_HELP = [
  "tierguard understands these commands (from users with write access), one per comment:",
  "",
  "- `/tierguard recheck`: review the pull request again.",
  "- `/tierguard explain <namespace/pod|ip> -> <namespace/pod|ip>:<port>[/protocol]`: how the policies at the head commit decide one connection, e.g. `/tierguard explain boutique/frontend -> boutique/cartservice:7070/TCP`.",
  "- `/tierguard ack-impact`: accept the newly denied flows of the current head commit as intended.",
  "- `/tierguard recommend <namespace> [<namespace>...]`: learn staged isolation policies for the namespaces from the flow snapshot tierguard.yaml names, prove them by replay, and open (or update) a pull request with them; on a pull request or an issue.",
  "- `/tierguard rollback`: on a merged pull request, open a pull request that reverts its policy changes (reviewed like any other; merging it changes the clusters).",
].join("\n");

/** Undefined when the comment is not addressed to tierguard. */
export function parseCommand(body: string): Command | undefined {
  const first = body.split(/\r?\n/).find((l) => l.trim() !== "")?.trim();
  if (!first) return undefined;
  // `s`: with `.` stopping at a lone \r or U+2028, `\s+(.*)$` tried every split of a run of spaces (quadratic).
  const m = /^\/tierguard(?:\s+(.*))?$/is.exec(first);
  if (!m) return undefined;
  const rest = (m[1] ?? "").trim();
  const [verb = "", ...args] = rest.split(/\s+/);
  switch (verb.toLowerCase()) {
    case "recheck":
    case "ack-impact":
    case "rollback":
      return args.length === 0 ? { kind: verb.toLowerCase() as "recheck" | "ack-impact" | "rollback" } : { kind: "invalid", reason: `\`/tierguard ${verb.toLowerCase()}\` takes no arguments` };
    case "explain":
      return parseExplain(rest.slice(verb.length).trim());
    case "recommend":
      return parseRecommend(args);
    case "":
      return { kind: "invalid", reason: "no command given" };
    default:
      return { kind: "invalid", reason: `unknown command \`${verb.slice(0, 40).replace(/`/g, "")}\`` };
  }
}

function parseExplain(text: string): Command {
  // Split on the arrow alone, then trim: `\s*(?:->|→)\s*` retried every start in a long run of spaces (quadratic).
  const arrow = text.split(/->|→/).map((part) => part.trim());
  if (arrow.length !== 2 || arrow[0] === "" || arrow[1] === "") return { kind: "invalid", reason: "explain needs `<from> -> <to>:<port>`" };
  const from = arrow[0].trim();
  const to = /^(.+):(\d{1,5})(?:\/([A-Za-z0-9]+))?$/.exec(arrow[1].trim());
  if (/\s/.test(from) || !to || /\s/.test(to[1])) return { kind: "invalid", reason: "explain needs `<from> -> <to>:<port>`, with the destination's port" };
  const port = Number(to[2]);
  if (port < 1 || port > 65535) return { kind: "invalid", reason: `port ${to[2]} is not 1-65535` };
  const protocolText = to[3] ?? "TCP";
  const protocol = parseFlowProtocol(protocolText);
  if (protocol === undefined) return { kind: "invalid", reason: `\`${protocolText}\` is not a protocol name or number` };
  if (!PORT_PROTOCOLS.has(protocol)) return { kind: "invalid", reason: `${protocolName(protocol)} has no ports; explain takes TCP, UDP or SCTP connections` };
  return { kind: "explain", from: unbracket(from), to: unbracket(to[1]), port, protocol, protocolText: protocolName(protocol) };
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_NAMESPACES = 20;

function parseRecommend(args: string[]): Command {
  if (args.length === 0) return { kind: "invalid", reason: "recommend needs a namespace: `/tierguard recommend <namespace>`" };
  if (args.length > MAX_NAMESPACES) return { kind: "invalid", reason: `recommend takes at most ${MAX_NAMESPACES} namespaces at once` };
  const bad = args.find((ns) => !NAMESPACE.test(ns));
  if (bad !== undefined) return { kind: "invalid", reason: `\`${bad.slice(0, 63).replace(/`/g, "")}\` is not a namespace name (lower-case letters, digits and "-", at most 63)` };
  return { kind: "recommend", namespaces: [...new Set(args)].sort() };
}

/** `[fd00::1]` → `fd00::1`, so IPv6 destinations can carry a port. */
function unbracket(s: string): string {
  return /^\[.*\]$/.test(s) ? s.slice(1, -1) : s;
}

/**
 * The user's access to the repository. GitHub's `permission` folds maintain into write and triage into read (and a
 * custom role into its base), which is the level that decides; `role` is what to call it in a reply. A user GitHub
 * does not know as a collaborator has none.
 */
export interface RepoAccess {
  permission: "admin" | "write" | "read" | "none";
  role: string;
}

export async function repoAccess(api: GitHubApi, repo: RepoRef, username: string): Promise<RepoAccess> {
  try {
    const { data } = await api.request<{ permission: string; role_name?: string }>("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...repo, username });
    const permission = data.permission === "admin" || data.permission === "write" || data.permission === "read" ? data.permission : "none";
    return { permission, role: data.role_name ?? permission };
  } catch (e) {
    if (httpStatus(e) === 404) return { permission: "none", role: "none" };
    throw e;
  }
}

/** admin, maintain and write: the roles that may push, and so may run commands that change what the check says. */
export function canWrite(a: RepoAccess): boolean {
  return a.permission === "admin" || a.permission === "write";
}
