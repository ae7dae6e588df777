import { createFlowValueParser } from "../flows/detect.js";
import { flowProblemToDiagnostic, type FlowFormat, type FlowProblem } from "../flows/types.js";
import type { Diagnostic } from "../policy/index.js";
import type { FlowFile, FlowReader } from "./flow-lines.js";
import { stopAt, type ReadOutcome } from "./read-outcome.js";
import type { RangeRead, ReplayLimits, ReplaySink } from "./sink.js";

/**
 * A sink that hands every parsed flow value to an observer (`recommend`'s FlowObserver) and collects the lines it
 * could not read. In this thread only: the observer's state is no part a worker could post back.
 */
export type ObserveValue = (value: Record<string, unknown>, format: FlowFormat, line: number) => readonly FlowProblem[];

export class ObserveSink implements ReplaySink<never> {
  readonly problems: Diagnostic[] = [];

  constructor(
    private readonly observe: ObserveValue,
    private readonly format: FlowFormat | undefined,
    private readonly reader: FlowReader,
    private readonly limits: ReplayLimits,
  ) {}

  async replay(file: FlowFile, range: { start: number; end: number } | undefined, tick: () => void): Promise<RangeRead> {
    const { maxLineBytes, maxBytes } = this.limits;
    const parse = createFlowValueParser({ format: this.format, maxLineLength: maxLineBytes });
    const outcome: ReadOutcome = { records: 0 };
    let lines = 0;
    for await (const ev of this.reader.lines(file.path, { maxLineBytes, maxBytes, range })) {
      if (ev.type !== "line") {
        const message = ev.type === "error" ? ev.message : `the line is ${ev.bytes} bytes long; the limit is ${maxLineBytes}`;
        if (ev.type === "error") outcome.stopped ??= stopAt(ev);
        else lines = ev.number;
        this.problems.push({ code: ev.type === "error" ? `flows/${ev.reason}` : "flows/line-too-long", severity: "error", message, file: file.display, line: ev.number, col: 1, path: "" });
        continue;
      }
      lines = ev.line.number;
      const parsed = parse(ev.line.text, ev.line.number);
      const found = parsed.value ? this.observe(parsed.value, parsed.format, ev.line.number) : parsed.diagnostics;
      for (const p of found) this.problems.push(flowProblemToDiagnostic(p, file.display));
      if (parsed.value && found.length === 0) outcome.records++;
      tick();
    }
    return { lines, outcome };
  }

  part(): never {
    throw new Error("an observing replay runs in one thread");
  }

  merge(): void {
    throw new Error("an observing replay runs in one thread");
  }
}
