import type { GatewayRequest, RequestKind } from '../requests.js';
import { API_ROUTES } from '../router.js';
import type { Outcome, OutcomeStats } from './outcome-stats.js';
import type { Traffic } from './traffic.js';

const PATH_OF = new Map<RequestKind, string>(Object.entries(API_ROUTES).map(([path, kind]) => [kind, path]));

/** A short name for why a request got no response: the client's own timeout, or the socket's error code. */
function errorKind(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'client_timeout';
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Sends one request to the gateway and reports how it ended: a status once the whole body arrived, or an
 * error. Never rejects, so every request ends up counted one way or the other.
 */
export async function sendRequest(
  baseUrl: string,
  request: GatewayRequest,
  timeoutMs: number,
): Promise<Outcome> {
  const sentAt = performance.now();
  try {
    const response = await fetch(`${baseUrl}${PATH_OF.get(request.kind)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return { sentAt, latencyMs: performance.now() - sentAt, status: response.status };
  } catch (error) {
    return { sentAt, latencyMs: performance.now() - sentAt, error: errorKind(error) };
  }
}

/** What a run of the load generator sends, and where it counts the outcomes. */
export interface LoadRun {
  traffic: Traffic;
  /** How long to send, in ms. */
  durationMs: number;
  /** Every request is counted in each of these (a scene's and the whole run's, say). */
  stats: readonly OutcomeStats[];
  /** Stops sending early (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Sends requests to the gateway and keeps track of every one in flight, so that a run can end with
 * {@link LoadGenerator.drain} and nothing unaccounted for.
 */
export class LoadGenerator {
  private readonly inFlight = new Set<Promise<void>>();

  /**
   * @param baseUrl the gateway, e.g. `http://127.0.0.1:8080`
   * @param timeoutMs how long a request may take before the client gives up (counted as `client_timeout`)
   */
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  /** Requests sent and not yet ended. */
  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * Open loop: sends `rate` requests per second on a fixed schedule, whether or not earlier ones were
   * answered, as independent users do. A slow gateway then piles requests up instead of slowing the load
   * down, which is what an outage looks like from outside. Resolves when the time is up or the signal aborts;
   * answers still in flight keep arriving into the stats.
   */
  openLoop(run: LoadRun & { rate: number }): Promise<void> {
    const started = performance.now();
    let sent = 0;
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearInterval(timer);
        run.signal?.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setInterval(
        () => {
          const elapsed = Math.min(performance.now() - started, run.durationMs);
          // Catch up on the schedule after a late timer, so the rate holds on a busy machine.
          const due = Math.floor((elapsed / 1000) * run.rate);
          while (sent < due) {
            sent++;
            this.send(run);
          }
          if (elapsed >= run.durationMs) finish();
        },
        Math.max(5, Math.min(50, 500 / run.rate)),
      );
      if (run.signal?.aborted) finish();
      else run.signal?.addEventListener('abort', finish, { once: true });
    });
  }

  /**
   * Closed loop: `concurrency` clients, each sending its next request as soon as the last one was answered.
   * The rate is whatever the gateway sustains, so this measures throughput.
   */
  async closedLoop(run: LoadRun & { concurrency: number }): Promise<void> {
    const deadline = performance.now() + run.durationMs;
    const client = async (): Promise<void> => {
      while (performance.now() < deadline && run.signal?.aborted !== true) await this.send(run);
    };
    await Promise.all(Array.from({ length: run.concurrency }, client));
  }

  /** Waits until every request sent has ended (answered, or failed on the client's own timeout). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private send(run: LoadRun): Promise<void> {
    const request = run.traffic();
    for (const stats of run.stats) stats.sent();
    const done: Promise<void> = sendRequest(this.baseUrl, request, this.timeoutMs).then((outcome) => {
      for (const stats of run.stats) stats.record(outcome);
      this.inFlight.delete(done);
    });
    this.inFlight.add(done);
    return done;
  }
}
