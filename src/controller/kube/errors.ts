import { ApiException } from "@kubernetes/client-node";
import { KubeError } from "../port.js";

/**
 * Turning what @kubernetes/client-node throws into a `KubeError`: the HTTP status, the Status object's reason and
 * message (an admission webhook's refusal arrives as the Status message, e.g. Calico's tiered-RBAC webhook), and
 * Retry-After. The client 1.4 throws `ApiException` with the body as text; its Watch throws an Error carrying
 * `statusCode`; a network failure (refused, reset, TLS) has no status: it becomes status 0.
 */
interface StatusLike {
  kind?: string;
  reason?: string;
  message?: string;
  code?: number;
  details?: { retryAfterSeconds?: number };
}

function parseStatus(body: unknown): StatusLike | undefined {
  if (typeof body === "object" && body !== null) return body as StatusLike;
  if (typeof body !== "string" || body === "") return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as StatusLike) : undefined;
  } catch {
    return undefined;
  }
}

/** Seconds from a Retry-After header (delta-seconds only; an HTTP date is rare from the API server). */
function retryAfterOf(headers: Record<string, string> | undefined, status?: StatusLike): number | undefined {
  const raw = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const n = raw === undefined ? NaN : Number(raw);
  if (Number.isFinite(n) && n >= 0) return n;
  return status?.details?.retryAfterSeconds;
}

const REASONS: Record<number, string> = { 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 410: "Expired", 429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable" };

export function toKubeError(e: unknown, what?: string): KubeError {
  if (e instanceof KubeError) return e;
  const prefix = what ? `${what}: ` : "";
  if (e instanceof ApiException) {
    const status = parseStatus(e.body);
    const reason = status?.reason ?? REASONS[e.code];
    const message = status?.message ?? (e.code === 401 ? "Unauthorized" : `HTTP ${e.code}`);
    return new KubeError(e.code, `${prefix}${e.code} ${reason ?? ""}: ${message}`.replace(/ +:/, ":"), reason, retryAfterOf(e.headers, status), message);
  }
  const code = (e as { statusCode?: number; code?: unknown })?.statusCode ?? (typeof (e as { code?: unknown })?.code === "number" ? ((e as { code: number }).code) : undefined);
  if (code !== undefined) return new KubeError(code, `${prefix}${code} ${REASONS[code] ?? ""}: ${(e as Error).message}`.replace(/ +:/, ":"), REASONS[code], undefined, (e as Error).message);
  return new KubeError(0, `${prefix}${(e as Error)?.message ?? String(e)}`);
}

/** Worth trying again after a pause: 429, 5xx, and no answer at all (status 0). 409 is the caller's to re-read. */
export function isTransient(e: KubeError): boolean {
  return e.status === 429 || e.status >= 500 || e.status === 0;
}
