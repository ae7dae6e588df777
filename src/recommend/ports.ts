import { MAX_PORTS, PORT_PROTOCOLS } from "../policy/index.js";

/**
 * Ports as observed. Consecutive ports become a range only when every port of the range was observed (a run of at
 * least MIN_RUN), so a range never admits a port the flows did not use.
 */
export const MIN_RUN = 3;

export function portList(ports: Iterable<number>): Array<number | string> {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const out: Array<number | string> = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j - i + 1 >= MIN_RUN) out.push(`${sorted[i]}:${sorted[j]}`);
    else for (let k = i; k <= j; k++) out.push(sorted[k]);
    i = j + 1;
  }
  return out;
}

/** Protocols whose rules may name ports (Calico rejects ports on any other protocol). */
export function takesPorts(protocol: number): boolean {
  return PORT_PROTOCOLS.has(protocol);
}

/** Lists longer than Calico's limit are split over several rules. */
export function chunks<T>(list: readonly T[], size = MAX_PORTS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out.length > 0 ? out : [[]];
}
