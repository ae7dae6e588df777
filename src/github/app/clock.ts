/** Time, injected so tests decide it: check-run timestamps and how often progress is written. */
export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };
