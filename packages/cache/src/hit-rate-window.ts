/**
 * Hits and misses over a sliding window (default 60 s in 12 buckets of 5 s). Counting is two array
 * increments; a timer moves to the next bucket, so no lookup reads the clock.
 */
export class HitRateWindow {
  private readonly hits: Float64Array;
  private readonly misses: Float64Array;
  private current = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(windowMs = 60_000, buckets = 12) {
    this.hits = new Float64Array(buckets);
    this.misses = new Float64Array(buckets);
    this.timer = setInterval(() => this.advance(), windowMs / buckets);
    this.timer.unref();
  }

  hit(): void {
    this.hits[this.current]!++;
  }

  miss(): void {
    this.misses[this.current]!++;
  }

  /** Moves to the next bucket, forgetting the oldest (the timer calls this; tests may too). */
  advance(): void {
    this.current = (this.current + 1) % this.hits.length;
    this.hits[this.current] = 0;
    this.misses[this.current] = 0;
  }

  /** Hits as a percentage of lookups in the window; `undefined` when there was no lookup (not a false 0). */
  ratePercent(): number | undefined {
    let hits = 0;
    let lookups = 0;
    for (let i = 0; i < this.hits.length; i++) {
      hits += this.hits[i]!;
      lookups += this.hits[i]! + this.misses[i]!;
    }
    return lookups === 0 ? undefined : (100 * hits) / lookups;
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}
