/**
 * The policy board: every tier and policy in evaluation order with hit counts from a flow replay, and what a pull
 * request changes, as one self-contained HTML page. Pure: the replay, the review's diff and impact come in as
 * values (src/cli/board.ts runs them with the functions `simulate` and `review` use). May import engine, policy,
 * selector, flows, impact, review and report; never an adapter or node:fs.
 */
export { HitCounter, policyKey, type Category, type PolicyCounts, type Tally, type TopFlow } from "./counts.js";
export { buildBoard, type BoardInput } from "./model.js";
export { addAgentCounters, emptyAgentHits, type AgentHits, type AgentPolicyHits, type AgentTally, type CounterProblem } from "./agent-counters.js";
export { explainPolicy, ruleSentence } from "./describe.js";
export { renderBoardHtml } from "./html.js";
export type { BoardChange, BoardModel, BoardPolicy, BoardRule, BoardTier, BoardTotals } from "./types.js";
