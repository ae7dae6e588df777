import type { Progress } from "../run/index.js";
import type { CliIo } from "./io.js";

/** The terminal's Progress: a progress line on stderr (items and items per second), only when stderr is a terminal. */
export class ProgressLine implements Progress {
  private count = 0;
  private readonly started: number;
  private lastShown: number;

  constructor(
    private readonly io: CliIo,
    private readonly unit: string,
    private readonly everyMs = 500,
  ) {
    this.started = io.now();
    this.lastShown = this.started;
  }

  tick(n = 1): void {
    const before = this.count;
    this.count += n;
    // Look at the clock only every 1024 items (or when a batch crosses such a boundary).
    if (!this.io.stderrIsTTY || (before >> 10) === (this.count >> 10)) return;
    const now = this.io.now();
    if (now - this.lastShown < this.everyMs) return;
    this.lastShown = now;
    this.io.stderr(`\r${this.count} ${this.unit} (${this.rate(now)}/s)   `);
  }

  done(): void {
    if (this.io.stderrIsTTY && this.lastShown !== this.started) {
      this.io.stderr(`\r${this.count} ${this.unit} in ${((this.io.now() - this.started) / 1000).toFixed(1)} s (${this.rate(this.io.now())}/s)\n`);
    }
  }

  private rate(now: number): number {
    return Math.round((this.count * 1000) / Math.max(1, now - this.started));
  }
}
