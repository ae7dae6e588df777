import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { buildBoard, renderBoardHtml } from "../../board/index.js";
import { DEFAULT_MAX_LINE_LENGTH } from "../../flows/detect.js";
import type { Inventory } from "../../flows/inventory.js";
import { fileFlowReader } from "../../io/flow-reader.js";
import { DEFAULT_LOAD_LIMITS } from "../../policy/index.js";
import type { Review } from "../../review/index.js";
import { changeBoard, type FlowFile } from "../../run/index.js";
import { scrub } from "../redact.js";
import type { PullRequestFiles } from "../repo-reader.js";
import type { RunContext } from "./event.js";
import type { ActionInputs } from "./inputs.js";
import type { Workflow } from "./workflow.js";

/**
 * The policy board of the reviewed change, written into the workspace for the workflow's upload-artifact step
 * (`board-file`; its path is the `board-file` output). The Action cannot upload it itself: @actions/artifact is not
 * bundled (its upload protocol pulls in a large client), so the workflow uploads the file, and the pull-request
 * comment links to the run's page, where the artifact is listed. Built from what the review used: the same
 * revisions, snapshot, inventory and impact.
 */
export interface BoardUsed {
  review: Review;
  files: PullRequestFiles;
  flows: FlowFile[];
  inventory?: Inventory;
}

export async function writeBoardFile(used: BoardUsed, ctx: RunContext, inputs: ActionInputs, workflow: Workflow): Promise<string> {
  const { review, files } = used;
  const title = `tierguard policy board: ${ctx.repo.owner}/${ctx.repo.repo}${ctx.pull ? ` #${ctx.pull.pull}` : ""}: ${review.base.rev} → ${review.head.rev}`;
  const board = await changeBoard({
    base: { ...files.base, rev: review.base.rev },
    head: { ...files.head, rev: review.head.rev },
    config: files.config,
    limits: DEFAULT_LOAD_LIMITS,
    inventory: used.inventory,
    flows: used.flows,
    impact: review.impact,
    reader: fileFlowReader,
    maxLineBytes: DEFAULT_MAX_LINE_LENGTH,
    title,
    sources: [
      `${ctx.repo.owner}/${ctx.repo.repo} at ${review.head.rev} (${review.head.commit.slice(0, 12)}), compared with ${review.base.rev} (${review.base.commit.slice(0, 12)})`,
      ...used.flows.map((f) => `flows: ${f.display}`),
      ...(files.config.inventory ? [`inventory: ${files.config.inventory}`] : []),
    ].map(scrub),
    unusedDays: 90,
  });
  const path = resolve(ctx.workspace, inputs.boardFile!);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderBoardHtml(buildBoard(board.input)));
  workflow.output("board-file", path);
  workflow.info(`tierguard: policy board written to ${inputs.boardFile} (${board.input.set.policies.length} policies); upload it with actions/upload-artifact as ${inputs.boardArtifact}`);
  return path;
}

/** The comment's link: the run's page, where the uploaded artifact is listed (undefined outside a workflow run). */
export function boardLink(ctx: RunContext, inputs: ActionInputs): { url: string; artifact: string } | undefined {
  return inputs.boardFile && ctx.runUrl ? { url: `${ctx.runUrl}#artifacts`, artifact: inputs.boardArtifact } : undefined;
}
