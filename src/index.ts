/**
 * tierguard's library entry. The core (selector, policy, engine, flows) is pure: no network, no filesystem, no
 * child processes. Adapters for files, git, GitHub and Kubernetes live at the edge (src/io, src/cli, ...).
 */
export { parseSelector, Selector, SelectorError, type SelectorErrorCode, type Labels } from "./selector/index.js";
