/**
 * Every way a selector can fail to parse. The codes are stable API: tests, the validator and the PR annotations
 * key on them, never on message text.
 */
export type SelectorErrorCode =
  | "selector/unterminated-string"
  | "selector/unexpected-character"
  | "selector/invalid-operator"
  | "selector/expected-operator"
  | "selector/label-too-long"
  | "selector/has-missing-label"
  | "selector/unclosed-call"
  | "selector/expected-string"
  | "selector/expected-set"
  | "selector/expected-rbrace"
  | "selector/expected-rparen"
  | "selector/unexpected-token"
  | "selector/unexpected-end"
  | "selector/trailing-content"
  | "selector/too-deep";

/** A selector that Calico would reject. `offset` is the index into the selector text where the problem starts. */
export class SelectorError extends Error {
  readonly code: SelectorErrorCode;
  readonly offset: number;

  constructor(code: SelectorErrorCode, offset: number, message: string) {
    super(message);
    this.name = "SelectorError";
    this.code = code;
    this.offset = offset;
  }
}
