/**
 * The hit rate over a sliding window (default 60 s in 12 steps of 5 s), computed from the cumulative hit
 * and miss counters: a timer takes a snapshot of both every step, and the rate is the change since the
 * oldest snapshot. A lookup therefore pays nothing for the window (it only increments its counter), and no
 * lookup reads the clock.
 */
export class HitRateWindow {
  /** Snapshots of [hits, misses], oldest first; at most `steps` (the window is 55 to 60 s with the defaults). */
  private readonly snapshots: Array<[number, number]> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly hits: () => number,
    private readonly misses: () => number,
    windowMs = 60_000,
    private readonly steps = 12,
  ) {
    this.snapshots.push([hits(), misses()]);
    this.timer = setInterval(() => this.advance(), windowMs / steps);
    this.timer.unref();
  }

  /** Takes the next snapshot, forgetting the one that left the window (the timer calls this; tests may too). */
  advance(): void {
    this.snapshots.push([this.hits(), this.misses()]);
    if (this.snapshots.length > this.steps) this.snapshots.shift();
  }

  /** Hits as a percentage of lookups in the window; `undefined` when there was no lookup (not a false 0). */
  ratePercent(): number | undefined {
    const [oldHits, oldMisses] = this.snapshots[0]!;
    const hits = this.hits() - oldHits;
    const lookups = hits + this.misses() - oldMisses;
    return lookups === 0 ? undefined : (100 * hits) / lookups;
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
