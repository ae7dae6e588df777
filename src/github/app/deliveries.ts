/**
 * Delivery ids this process has handled, so that a replayed delivery (GitHub's "Redeliver" keeps the id, and so
 * does anyone replaying a captured request) starts nothing a second time. Bounded: the oldest ids are forgotten
 * first. Per process; across replicas, a review re-reads the pull request before it writes (review-job.ts), so a
 * replay another replica accepts still cannot conclude on an old state.
 */
export class DeliveryLog {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** True when `id` was seen before; records it otherwise. */
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return false;
  }
}
