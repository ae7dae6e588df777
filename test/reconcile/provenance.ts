import type { Provenance } from "../../src/reconcile/index.js";

export const DEFAULT_PROVENANCE: Provenance = { commit: "0123456789abcdef0123456789abcdef01234567", pullRequest: 7, author: "alice", time: "2026-12-03T12:00:00Z" };
