/**
 * Where a JSON text goes wrong, and why. `JSON.parse` says only that it failed (and Node 20's messages carry no
 * position), so after a failure this small RFC 8259 scanner finds the first offending character. It is iterative,
 * with an explicit stack, so a hostile line of ten thousand `[` cannot overflow the call stack.
 */
export interface JsonErrorLocation {
  /** 0-based offset of the first character that cannot continue the text; the length at an unexpected end. */
  offset: number;
  reason: string;
}

type Want = "value" | "value-or-close" | "key" | "key-or-close" | "colon" | "comma-or-close" | "done";

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ["true", "false", "null"];

/** Undefined when the text is valid JSON. */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  const stack: ("{" | "[")[] = [];
  let want: Want = "value";
  let i = 0;
  const afterValue = (): Want => (stack.length === 0 ? "done" : "comma-or-close");
  const fail = (reason: string, at = i): JsonErrorLocation => ({ offset: at, reason });
  for (;;) {
    while (i < text.length && WHITESPACE.has(text[i])) i++;
    if (i >= text.length) return want === "done" ? undefined : fail("the line ends before the JSON value is complete");
    const c = text[i];
    if (want === "done") return fail(`unexpected ${describe(c)} after the end of the JSON value`);
    if (want === "colon") {
      if (c !== ":") return fail(`expected ':' after a property name, found ${describe(c)}`);
      i++;
      want = "value";
    } else if (want === "comma-or-close") {
      const top = stack[stack.length - 1];
      const close = top === "{" ? "}" : "]";
      if (c === ",") want = top === "{" ? "key" : "value";
      else if (c === close) stack.pop();
      else return fail(`expected ',' or '${close}', found ${describe(c)}`);
      i++;
      if (c === close) want = afterValue();
    } else if (want === "key" || want === "key-or-close") {
      if (want === "key-or-close" && c === "}") {
        stack.pop();
        i++;
        want = afterValue();
        continue;
      }
      if (c !== '"') return fail(`expected a double-quoted property name, found ${describe(c)}`);
      const err = scanString(text, i);
      if (typeof err !== "number") return err;
      i = err;
      want = "colon";
    } else {
      if (want === "value-or-close" && c === "]") {
        stack.pop();
        i++;
        want = afterValue();
        continue;
      }
      if (c === "{" || c === "[") {
        stack.push(c);
        i++;
        want = c === "{" ? "key-or-close" : "value-or-close";
        continue;
      }
      const end = scanScalar(text, i);
      if (typeof end !== "number") return end;
      i = end;
      want = afterValue();
    }
  }
}

/** A string, number or literal starting at `i`: the offset after it, or the error. */
function scanScalar(text: string, i: number): number | JsonErrorLocation {
  const c = text[i];
  if (c === '"') return scanString(text, i);
  if (c === "-" || (c >= "0" && c <= "9")) {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return { offset: i + 1, reason: "a number needs digits after '-'" };
    const end = i + m[0].length;
    if (end < text.length && /[0-9.eE+-]/.test(text[end])) return { offset: end, reason: `malformed number` };
    return end;
  }
  for (const word of LITERALS) if (text.startsWith(word, i)) return i + word.length;
  return { offset: i, reason: `unexpected ${describe(c)} where a value was expected` };
}

/** A string starting at the `"` at `i`: the offset after its closing quote, or the error. */
function scanString(text: string, i: number): number | JsonErrorLocation {
  for (let j = i + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === '"') return j + 1;
    if (ch.charCodeAt(0) < 0x20) return { offset: j, reason: "a control character must be escaped inside a string" };
    if (ch === "\\") {
      const e = text[j + 1];
      if (e === "u") {
        if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(j + 2, j + 6))) return { offset: j, reason: "\\u needs four hex digits" };
        j += 5;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
        j++;
      } else {
        return { offset: j, reason: `invalid escape ${describe(`\\${e ?? ""}`)}` };
      }
    }
  }
  return { offset: text.length, reason: "the string is never closed" };
}

function describe(s: string): string {
  return JSON.stringify(s);
}
