import { stat } from "node:fs/promises";
import type { ClusterSnapshot, ClusterSource } from "./daemon.js";

/**
 * A cluster source from files: an exported inventory and policy files, re-read when any of them changes (polled by
 * modification time, so it also works on ConfigMap volumes, which swap a symlink). In a cluster the informer-based
 * source replaces it.
 */
export class FileSource implements ClusterSource {
  private timer?: ReturnType<typeof setInterval>;
  private stamps = "";

  constructor(
    private readonly paths: readonly string[],
    private readonly load: () => Promise<ClusterSnapshot | { error: string }>,
    private readonly pollMs = 2000,
  ) {}

  async start(onChange: () => void): Promise<void> {
    this.stamps = await this.read();
    this.timer = setInterval(() => {
      void this.read().then((s) => {
        if (s !== this.stamps) {
          this.stamps = s;
          onChange();
        }
      });
    }, this.pollMs);
    this.timer.unref?.();
  }

  snapshot(): Promise<ClusterSnapshot | { error: string }> {
    return this.load();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async read(): Promise<string> {
    const parts: string[] = [];
    for (const p of this.paths) {
      try {
        const s = await stat(p);
        parts.push(`${p}:${s.mtimeMs}:${s.size}`);
      } catch {
        parts.push(`${p}:missing`);
      }
    }
    return parts.join("|");
  }
}
