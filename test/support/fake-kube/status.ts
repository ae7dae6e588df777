/**
 * The API server's `Status` object (kind Status, reason, code, message), and the error the fake's handlers throw
 * to answer with one. The shapes follow k8s.io/apimachinery/pkg/api/errors (NewNotFound, NewAlreadyExists,
 * NewConflict, ...), so a client sees what a real server would send.
 */
export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; retryAfterSeconds?: number; causes?: unknown[] };
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusBody["details"],
    /** Extra response headers (Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): StatusBody {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, ...(this.details ? { details: this.details } : {}), code: this.code };
  }
}

/** `networkpolicies.projectcalico.org` as the server names a resource in its messages (core: just the plural). */
export function qualified(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const notFound = (group: string, plural: string, name: string) =>
  new StatusError(404, "NotFound", `${qualified(group, plural)} "${name}" not found`, { name, group, kind: plural });

export const alreadyExists = (group: string, plural: string, name: string) =>
  new StatusError(409, "AlreadyExists", `${qualified(group, plural)} "${name}" already exists`, { name, group, kind: plural });

export const conflict = (group: string, plural: string, name: string) =>
  new StatusError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(group, plural)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group, kind: plural });

export const badRequest = (message: string) => new StatusError(400, "BadRequest", message);

export const invalid = (group: string, plural: string, name: string, message: string) =>
  new StatusError(422, "Invalid", `${qualified(group, plural)} "${name}" is invalid: ${message}`, { name, group, kind: plural });

export const gone = (message = "too old resource version") => new StatusError(410, "Expired", message);

/** The default reason and message of a status code, for injected faults that name only the code. */
export function defaultFault(code: number): { reason: string; message: string } {
  const table: Record<number, [string, string]> = {
    400: ["BadRequest", "the server rejected our request for an unknown reason"],
    401: ["Unauthorized", "Unauthorized"],
    403: ["Forbidden", "forbidden: the server does not allow this method on the requested resource"],
    404: ["NotFound", "the server could not find the requested resource"],
    409: ["Conflict", "the object has been modified; please apply your changes to the latest version and try again"],
    410: ["Expired", "too old resource version"],
    422: ["Invalid", "the object is invalid"],
    429: ["TooManyRequests", "Too many requests, please try again later."],
    500: ["InternalError", "Internal error occurred: injected fault"],
    503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
  };
  const [reason, message] = table[code] ?? ["InternalError", `injected fault ${code}`];
  return { reason, message };
}
