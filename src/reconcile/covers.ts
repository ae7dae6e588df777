/**
 * Does a live value still say what tierguard wrote? Every field of the desired value must be in the live one with
 * the same value; fields the live value has beyond those are the API server's defaults (a Kubernetes port's
 * `protocol: TCP`, Calico's `types`) and are ignored, so defaulting never causes a write. Lists must have the same
 * length, item by item. Numbers and numeric strings differ (a port "80" is not 80 to the API).
 */
export function uncoveredPath(live: unknown, desired: unknown, path: string): string | undefined {
  if (desired === undefined) return undefined;
  if (desired === null || typeof desired !== "object") return live === desired ? undefined : path;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return path;
    for (let i = 0; i < desired.length; i++) {
      const miss = uncoveredPath(live[i], desired[i], `${path}[${i}]`);
      if (miss !== undefined) return miss;
    }
    return undefined;
  }
  if (live === null || typeof live !== "object" || Array.isArray(live)) {
    // An empty desired map is covered by an absent live one: the server may drop `{}` (podSelector: {} stays, labels: {} goes).
    return Object.keys(desired).length === 0 && (live === undefined || live === null) ? undefined : path;
  }
  const l = live as Record<string, unknown>;
  for (const [k, v] of Object.entries(desired as Record<string, unknown>)) {
    const miss = uncoveredPath(l[k], v, path ? `${path}.${k}` : k);
    if (miss !== undefined) return miss;
  }
  return undefined;
}

export function covers(live: unknown, desired: unknown): boolean {
  return uncoveredPath(live, desired, "") === undefined;
}
