/**
 * Files and git: the adapter every command-line adapter shares. Policy files walked from paths (each real path once,
 * regular files only), flow files read as lines (gzip, byte ranges, bounded), inventories, and a repository's
 * revisions and history read from git's object store. Implements run/'s ports (FlowReader, RevisionSource).
 *
 * May import run and the core; never cli, github, controller or agent (they import io, not the other way round).
 */
export { collectPolicyFiles, describeFsError, type FileProblem, type TextFile } from "./files.js";
export { fileFlowReader } from "./flow-reader.js";
export { git, GitError, UnknownRevision, listTree, mergeBase, readBlobs, resolveCommit, type TreeEntry } from "./git.js";
export { readBlobTexts, readFileAt, readHistory } from "./history.js";
export { DEFAULT_MAX_INVENTORY_BYTES, inventoryFromText, readInventory } from "./inventory.js";
export { isGzip, readLines, RUNAWAY_LINE_FACTOR, DEFAULT_MAX_SNAPSHOT_BYTES, type Line, type LineEvent, type ReadFailure, type ReadLinesOptions } from "./lines.js";
export { exportBlob, gitRevisionSource, readBlobText, readGitRevisionPair } from "./repo.js";
export { gitUserLogin, uncommittedPaths, workingTree, type WorkingTree } from "./worktree.js";
