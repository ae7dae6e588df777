import type { OffsetProblem } from "../contracts/index.js";
/**
 * Text that is not UTF-8: a binary file, or UTF-16 (Windows editors and PowerShell's `>` write it) read as UTF-8.
 * Both show up as NUL characters in the decoded text; UTF-16 puts one in every other place (ASCII text), so it is
 * named as such, with the fix, instead of being called binary.
 */
export type EncodingProblem = OffsetProblem<"load/binary-file" | "load/utf16-file">;

/** How much of the start of the file the UTF-16 guess looks at. */
const SAMPLE = 512;

export function binaryProblem(text: string): EncodingProblem | undefined {
  const nul = text.indexOf("\u0000");
  if (nul === -1) return undefined;
  const utf16 = utf16Order(text);
  if (utf16) {
    return {
      code: "load/utf16-file",
      message: `file is UTF-16 (${utf16}) text, not UTF-8: save it as UTF-8 (in PowerShell, Out-File -Encoding utf8)`,
      offset: 0,
    };
  }
  return { code: "load/binary-file", message: "file contains NUL bytes; it is binary, not YAML or JSON", offset: nul };
}

/**
 * "little-endian" or "big-endian" when the text reads as UTF-16 decoded as UTF-8: a byte-order mark (FF FE or FE FF,
 * both invalid UTF-8, so two U+FFFD), or NULs in the odd (little-endian) or the even (big-endian) places of the sample.
 */
function utf16Order(text: string): "little-endian" | "big-endian" | undefined {
  const bom = text.startsWith("\uFFFD\uFFFD") ? 2 : 0;
  const end = Math.min(text.length, bom + SAMPLE);
  let even = 0;
  let odd = 0;
  for (let i = bom; i < end; i++) {
    if (text.charCodeAt(i) !== 0) continue;
    if ((i - bom) % 2 === 0) even++;
    else odd++;
  }
  // A non-ASCII character can decode to one UTF-8 character from two bytes and shift the parity after it, so the
  // test is "nearly all on one side", over a sample that is at least a quarter NULs.
  const total = even + odd;
  if (total < (end - bom) / 8) return undefined;
  if (odd >= total * 0.9) return "little-endian";
  if (even >= total * 0.9) return "big-endian";
  return undefined;
}
