/**
 * Credentials out of anything tierguard shows or logs: tokens, keys and JWTs, and URLs cut to scheme, host and
 * path (a pre-signed snapshot URL carries its signature and credential in the query, a clone URL its token in the
 * userinfo). One function for the App's log and for what the review shows (the comment, the check run), so that
 * no place can show what another hides.
 */
const SECRETS: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[REDACTED PRIVATE KEY]"],
  // Before the token rules: a URL's query or userinfo may hold one of them.
  [/\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#@]*@)?([^\s/?#@`'"<>]+)([^\s?#`'"<>]*)([?#][^\s`'"<>)]*)?/gi, (_m, scheme, host, path, query) => `${scheme}${host}${path}${query ? " (query omitted)" : ""}`],
  [/\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|v1\.[0-9a-f]{40})\b/g, "[REDACTED]"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g, "[REDACTED JWT]"],
  [/\b(token|bearer|basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi, "$1 [REDACTED]"],
  [/([?&](?:access_token|token|sig|signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&\s]+/gi, "$1[REDACTED]"],
];

export function scrub(text: string): string {
  let out = text;
  for (const [re, to] of SECRETS) out = out.replace(re, to as string);
  return out;
}
