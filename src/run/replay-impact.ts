import { EngineUniverse, PolicySet } from "../engine/index.js";
import { createFlowValueParser } from "../flows/detect.js";
import { inventoryNamespaceLabels, type Inventory } from "../flows/inventory.js";
import { Replayer } from "../impact/replay.js";
import { EndpointResolver } from "../impact/resolve.js";
import { ImpactComparer, type ComparerState } from "../impact/revisions.js";
import { buildResources, documentsFromValues, loadText, type DocumentValue, type LoadLimits } from "../policy/index.js";
import type { TierguardConfig } from "../review/config.js";
import { parseKey, type ParseCache, type RevisionFile } from "../review/load.js";
import type { FlowFile, FlowReader } from "./flow-lines.js";
import { cutOffAt, stopAt, type ReadOutcome } from "./read-outcome.js";
import type { RangeRead, ReplayLimits, ReplaySink } from "./sink.js";

/**
 * The review's sink: each flow replayed through the base and the head policy sets, compared. A worker rebuilds both
 * sets from the files' text (the main thread validated them) and posts the comparer's state, merged in file order.
 */
export interface ImpactSinkSpec {
  kind: "impact";
  config: TierguardConfig;
  limits: LoadLimits;
  base: RevisionFile[];
  head: RevisionFile[];
  inventory?: Inventory;
  /** The files' documents as the main thread parsed them (by `parseKey`): the worker then parses none of them. */
  documents?: Map<string, DocumentValue[]>;
}

/** The comparer the review builds from its prepared policy sets (and a worker from the files). */
export function impactComparer(sets: { base: PolicySet; head: PolicySet }, universe: EngineUniverse, config: TierguardConfig, inventory: Inventory | undefined) {
  const resolver = new EndpointResolver(universe, inventory);
  const head = new Replayer(sets.head, resolver);
  const comparer = new ImpactComparer(new Replayer(sets.base, resolver, { raw: head.raw }), head, config.calicoVersion.model);
  return { comparer, resolver };
}

/** A worker's comparer, from the files' text: parsed once per unchanged file (base and head share most). */
export function comparerFromSpec(spec: ImpactSinkSpec): ImpactComparer {
  const cache: ParseCache = new Map();
  const universe = new EngineUniverse();
  const namespaceLabels = inventoryNamespaceLabels(spec.inventory);
  const resources = (files: RevisionFile[]) =>
    files.flatMap((f) => {
      const key = parseKey(f);
      let parsed = cache.get(key);
      if (!parsed) {
        const values = spec.documents?.get(key);
        const documents = values ? documentsFromValues(f.file, f.text, values) : loadText(f.file, f.text, spec.limits).documents;
        parsed = { resources: buildResources(documents, { defaultNamespace: spec.config.namespace }).resources, diagnostics: [] };
        cache.set(key, parsed);
      }
      return parsed.resources;
    });
  const set = (files: RevisionFile[]) => new PolicySet(resources(files), { version: spec.config.calicoVersion, universe, namespaceLabels });
  return impactComparer({ base: set(spec.base), head: set(spec.head) }, universe, spec.config, spec.inventory).comparer;
}

export class ImpactSink implements ReplaySink<ComparerState> {
  constructor(
    readonly comparer: ImpactComparer,
    private readonly reader: FlowReader,
    private readonly limits: ReplayLimits,
  ) {}

  replay(file: FlowFile, range: { start: number; end: number } | undefined, tick: () => void): Promise<RangeRead> {
    return replayIntoComparer(this.comparer, file, { reader: this.reader, limits: this.limits, range }, tick);
  }

  part(): ComparerState {
    return this.comparer.exportState();
  }

  merge(part: ComparerState, offset: number): void {
    this.comparer.mergeState(part, offset);
  }
}

async function replayIntoComparer(
  comparer: ImpactComparer,
  f: FlowFile,
  read: { reader: FlowReader; limits: ReplayLimits; range?: { start: number; end: number } },
  tick: () => void,
): Promise<RangeRead> {
  const { maxLineBytes, maxBytes } = read.limits;
  const parse = createFlowValueParser({ maxLineLength: maxLineBytes });
  const outcome: ReadOutcome = { records: 0 };
  let lines = 0;
  for await (const ev of read.reader.lines(f.path, { maxLineBytes, maxBytes, range: read.range })) {
    if (ev.type === "error") {
      comparer.skipped(f.display, ev.number, ev.message);
      outcome.stopped ??= stopAt(ev);
      continue;
    }
    lines = ev.type === "line" ? ev.line.number : ev.number;
    if (ev.type === "too-long") {
      comparer.skipped(f.display, ev.number, `the line is ${ev.bytes} bytes long; the limit is ${maxLineBytes}`);
      continue;
    }
    const parsed = parse(ev.line.text, ev.line.number);
    const problems = parsed.value ? comparer.addValue(parsed.value, parsed.format, ev.line.number) : parsed.diagnostics;
    if (problems && problems.length > 0) {
      comparer.skipped(f.display, problems[0].line, problems[0].message);
      outcome.stopped ??= cutOffAt(ev.line, problems);
    } else if (parsed.value) {
      outcome.records++;
    }
    tick();
  }
  return { lines, outcome };
}
