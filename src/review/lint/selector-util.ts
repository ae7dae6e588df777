import { parseSelector, type Selector } from "../../selector/index.js";

/** Parses selector text; undefined when it does not parse (validation reports that, lint stays quiet). */
export function trySelector(text: string | undefined): Selector | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSelector(text);
  } catch {
    return undefined;
  }
}

/** True for an absent, empty or `all()` selector: it selects everything in scope. */
export function selectsAll(text: string | undefined): boolean {
  if (text === undefined || text.trim() === "") return true;
  return trySelector(text)?.isAll() ?? false;
}

/** Offset of a label key inside selector text, for pointing at it; -1 when not found literally. */
export function keyOffset(text: string, key: string): number {
  const re = new RegExp(`(^|[^A-Za-z0-9_./-])(${key.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")})(?![A-Za-z0-9_./-])`);
  const m = re.exec(text);
  return m ? m.index + m[1].length : -1;
}
