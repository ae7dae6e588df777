import type { Command } from "commander";

/**
 * "Did you mean" for an option typed wrong. Commander suggests a close option for an unknown one, but it reports a
 * missing required option first: `simulate --flow f` said only that --flows is missing. This finds the unknown
 * options on the command line and names the closest real one.
 */
export function mistypedOptionHint(program: Command, argv: readonly string[]): string {
  const sub = program.commands.find((c) => c.name() === argv[0] || c.aliases().includes(argv[0] ?? ""));
  if (!sub) return "";
  const known = sub.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined);
  const lines: string[] = [];
  for (const arg of argv.slice(1)) {
    if (arg === "--") break;
    if (!arg.startsWith("--")) continue;
    const flag = arg.split("=", 1)[0];
    if (known.includes(flag) || flag === "--help") continue;
    const close = closest(flag, known.filter((k) => k.startsWith("--")));
    lines.push(close ? `tierguard: ${flag} is not an option of ${sub.name()}; did you mean ${close}?\n` : `tierguard: ${flag} is not an option of ${sub.name()}\n`);
  }
  return lines.join("");
}

/** The known flag within a small edit distance (a typo, a missing or extra letter), else undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.slice(2), c.slice(2));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const limit = Math.max(1, Math.floor(word.length / 4));
  return bestDistance <= limit ? best : undefined;
}

/** Damerau-Levenshtein (optimal string alignment): a swapped pair of letters is one edit. */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.abs(a.length - b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
