import { DEST_SLOTS, SOURCE_SLOTS, type EnterpriseLineScanner } from "../flows/scan.js";
import { enterpriseFastFields } from "../flows/fast-key.js";
import type { RawEndpoints, ReplayedLine, Replayer } from "./replay.js";
import type { Resolved } from "./resolve.js";

/**
 * Endpoints by the raw text of their fields in a scanned line (src/flows/scan.ts): equal texts decode to equal
 * values, so an endpoint resolved once is found again without parsing the line. A miss parses the line once
 * (`parse`) and resolves through RawEndpoints, which holds what an endpoint's decoded fields resolve to; `null`
 * caches "the full path must read this endpoint". Bounded: emptied when full.
 */
interface Entry {
  /** Raw text per slot of the side (type, namespace, name, aggregated name, ip, labels); undefined when absent. */
  raws: Array<string | undefined>;
  resolved: Resolved | null;
}

export class RawLineEndpoints {
  private table = new Map<number, Entry[]>();
  private size = 0;

  constructor(
    private readonly raw: RawEndpoints,
    private readonly capacity: number,
  ) {}

  /** The side's endpoint; undefined when it must take the full path. `parse` gives the line's value on a miss. */
  get(scan: EnterpriseLineScanner, prefix: "source" | "dest", parse: () => Record<string, unknown>): Resolved | undefined {
    const slots = prefix === "source" ? SOURCE_SLOTS : DEST_SLOTS;
    const hash = scan.endpointHash(slots);
    let bucket = this.table.get(hash);
    if (bucket) {
      for (const e of bucket) if (matches(scan, slots, e.raws)) return e.resolved ?? undefined;
    } else {
      this.table.set(hash, (bucket = []));
    }
    const resolved = this.raw.get(parse(), prefix) ?? null;
    if (++this.size > this.capacity) {
      this.table = new Map();
      this.size = 0;
    } else {
      bucket.push({ raws: slots.map((s) => scan.raw(s)), resolved });
    }
    return resolved ?? undefined;
  }
}

function matches(scan: EnterpriseLineScanner, slots: readonly number[], raws: ReadonlyArray<string | undefined>): boolean {
  for (let k = 0; k < slots.length; k++) if (!scan.sameRaw(slots[k], raws[k])) return false;
  return true;
}

/**
 * One scanned line through the replayer's fast path: the same checks as `Replayer.replayValue` without a record,
 * on the decoded scalars and the raw endpoints. Undefined when the line must take the full path.
 */
export function replayScanned(replayer: Replayer, scan: EnterpriseLineScanner): ReplayedLine | undefined {
  const fields = enterpriseFastFields(scan.scalars());
  if (!fields) return undefined;
  let value: Record<string, unknown> | undefined;
  const parse = (): Record<string, unknown> => (value ??= JSON.parse(scan.text) as Record<string, unknown>);
  const src = replayer.lines.get(scan, "source", parse);
  const dst = src && replayer.lines.get(scan, "dest", parse);
  if (!src || !dst) return undefined;
  replayer.fastHits++;
  return { outcome: replayer.outcome(src, dst, replayer.protocol(fields.protocol), fields.dstPort, fields.srcPort), numFlows: fields.numFlows };
}
