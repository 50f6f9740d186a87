/** What the fake server has seen, for tests that assert on the traffic a client produced. */
export interface FakeOllamaStats {
  /** HTTP requests received, of every kind. */
  readonly requests: number;
  /** Requests in flight now (received, answer not finished). */
  readonly active: number;
  /** The most requests that were in flight at once. */
  readonly maxActive: number;
  /** Requests holding a model slot now (generating or embedding). */
  readonly running: number;
  /** Requests waiting for a model slot now. */
  readonly queued: number;
  /** The most requests that held a model slot at once. */
  readonly maxRunning: number;
  /** Requests turned away with 503 "server busy" because the queue was full. */
  readonly rejected: number;
  /** Requests an injected failure hit: an `errorStatus`, or a chunk fault that acted. */
  readonly faulted: number;
  /** Generations that ran to their `done` line. */
  readonly completed: number;
  /** Tokens generated in all. */
  readonly tokens: number;
  /** Requests by route, e.g. `{ 'POST /api/chat': 3 }` (unknown paths are not counted here). */
  readonly byRoute: Readonly<Record<string, number>>;
}

/** The server's mutable counters; `running`, `queued` and `maxRunning` come from the scheduler. */
export class StatsCounters {
  requests = 0;
  active = 0;
  maxActive = 0;
  rejected = 0;
  faulted = 0;
  completed = 0;
  tokens = 0;
  byRoute: Record<string, number> = {};

  /** Counts a request that arrived and is now in flight. */
  begin(): void {
    this.requests++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
  }

  /** Counts a request to a known route. */
  route(name: string): void {
    this.byRoute[name] = (this.byRoute[name] ?? 0) + 1;
  }

  /** Zeroes the counts; the in-flight gauge stays, and its high-water mark restarts from it. */
  reset(): void {
    this.requests = 0;
    this.maxActive = this.active;
    this.rejected = 0;
    this.faulted = 0;
    this.completed = 0;
    this.tokens = 0;
    this.byRoute = {};
  }
}

/** The scheduler's live numbers a snapshot includes. */
export interface SlotGauges {
  readonly running: number;
  readonly queued: number;
  readonly maxRunning: number;
}

/** A frozen copy of the counters and the scheduler's gauges. */
export function snapshotStats(counters: StatsCounters, slots: SlotGauges): FakeOllamaStats {
  return Object.freeze({
    requests: counters.requests,
    active: counters.active,
    maxActive: counters.maxActive,
    running: slots.running,
    queued: slots.queued,
    maxRunning: slots.maxRunning,
    rejected: counters.rejected,
    faulted: counters.faulted,
    completed: counters.completed,
    tokens: counters.tokens,
    byRoute: Object.freeze({ ...counters.byRoute }),
  });
}
