/** What happened to one request the load generator sent. */
export interface Outcome {
  /** When it was sent (`performance.now()`, ms). */
  readonly sentAt: number;
  /** Time to the whole response, or to the error. */
  readonly latencyMs: number;
  /** The HTTP status, when a response came. */
  readonly status?: number;
  /** Why no response came (refused, reset, client timeout), when none did. */
  readonly error?: string;
}

/** Latency percentiles, in ms; `undefined` without any sample. */
export interface Percentiles {
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
}

/** A summary of the requests of one scene or phase. */
export interface OutcomeSummary {
  readonly sent: number;
  /** Requests that got an HTTP response, whatever its status. */
  readonly answered: number;
  /** Requests that got no response but a counted client-side error. */
  readonly errored: number;
  /** Neither yet: still in flight (0 once the load generator drained). */
  readonly inFlight: number;
  /** Answers with a 2xx status. */
  readonly succeeded: number;
  /** Requests that did not succeed: a non-2xx answer or a client-side error. */
  readonly failed: number;
  /** Answers by status code. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Client-side errors by kind. */
  readonly errors: Readonly<Record<string, number>>;
  /** Latency of every answered or errored request. */
  readonly latencyMs: Percentiles;
  /** Latency of the answers with each status (how fast did the 503s come?). */
  readonly latencyByStatusMs: Readonly<Record<string, Percentiles>>;
  /** Latency of the failed ones: how long a request waited to learn it had failed. */
  readonly failureLatencyMs: Percentiles;
  /** Sum of the latencies of failed requests, in ms: time clients spent waiting only to fail. */
  readonly waitedOnFailuresMs: number;
}

/** The p-th percentile (0..100) of ascending samples, nearest rank; `undefined` when there are none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

/** Recent answers kept for the live figures (a few seconds' worth at demo rates). */
const RECENT_LIMIT = 5000;

/**
 * Counts what happened to requests: sent, answered by status, errored, latencies. `sent` is counted when a
 * request leaves and every request ends in exactly one of `answered` or `errored`, so
 * `sent = answered + errored + inFlight` always holds and a lost request shows up as one stuck in flight.
 */
export class OutcomeStats {
  private sentCount = 0;
  private readonly statuses = new Map<number, number>();
  private readonly statusLatencies = new Map<number, number[]>();
  private readonly errorKinds = new Map<string, number>();
  private readonly latencies: number[] = [];
  private readonly failureLatencies: number[] = [];
  private readonly recent: Array<{ at: number; latencyMs: number }> = [];

  /** Counts a request leaving. */
  sent(): void {
    this.sentCount++;
  }

  /** Counts how a request ended. */
  record(outcome: Outcome): void {
    if (outcome.status !== undefined) {
      this.statuses.set(outcome.status, (this.statuses.get(outcome.status) ?? 0) + 1);
      const latencies = this.statusLatencies.get(outcome.status) ?? [];
      latencies.push(outcome.latencyMs);
      this.statusLatencies.set(outcome.status, latencies);
    } else {
      const kind = outcome.error ?? 'unknown';
      this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
    }
    this.latencies.push(outcome.latencyMs);
    const ok = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
    if (!ok) this.failureLatencies.push(outcome.latencyMs);
    this.recent.push({ at: outcome.sentAt + outcome.latencyMs, latencyMs: outcome.latencyMs });
    if (this.recent.length > RECENT_LIMIT) this.recent.shift();
  }

  /** Answers per second and latency percentiles over the last `windowMs` (for the live progress line). */
  recentFigures(now: number, windowMs: number): { perSecond: number; latencyMs: Percentiles } {
    const since = now - windowMs;
    const inWindow = this.recent.filter((entry) => entry.at >= since);
    return {
      perSecond: (inWindow.length * 1000) / windowMs,
      latencyMs: percentiles(inWindow.map((entry) => entry.latencyMs)),
    };
  }

  /** Everything counted so far. */
  summary(): OutcomeSummary {
    const byStatus = Object.fromEntries(
      [...this.statuses].sort(([a], [b]) => a - b).map(([s, n]) => [String(s), n]),
    );
    const answered = [...this.statuses.values()].reduce((sum, count) => sum + count, 0);
    const errored = [...this.errorKinds.values()].reduce((sum, count) => sum + count, 0);
    const succeeded = [...this.statuses]
      .filter(([status]) => status >= 200 && status < 300)
      .reduce((sum, [, count]) => sum + count, 0);
    return {
      sent: this.sentCount,
      answered,
      errored,
      inFlight: this.sentCount - answered - errored,
      succeeded,
      failed: answered + errored - succeeded,
      byStatus,
      errors: Object.fromEntries(this.errorKinds),
      latencyMs: percentiles(this.latencies),
      latencyByStatusMs: Object.fromEntries(
        [...this.statusLatencies].map(([status, latencies]) => [String(status), percentiles(latencies)]),
      ),
      failureLatencyMs: percentiles(this.failureLatencies),
      waitedOnFailuresMs: this.failureLatencies.reduce((sum, latency) => sum + latency, 0),
    };
  }
}
