import {
  AbortError,
  ConnectionError,
  MalformedResponseError,
  OllamaErrorCode,
  ResponseError,
  TimeoutError,
} from '@sightglass/ollama';
import { executeWithSignal, instrumentPolicy } from '@sightglass/resilience';
import {
  bulkhead,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { watchStream } from './watch-stream.js';

/** How calls to Ollama are protected. Every field is optional; the defaults suit a real Ollama. */
export interface PolicyOptions {
  /**
   * `policy_name` of the metrics; the breakers are `<name>.chat`, `<name>.generate` and `<name>.embed`
   * (`breaker_name`, and their names in `/health`). Default `ollama`.
   */
  name?: string;
  /**
   * How long a caller waits at most, in ms: waiting for a slot, every attempt and the pauses between them.
   * Default 60000 (a long generation on a busy GPU).
   */
  timeoutMs?: number;
  /** Retries after the first attempt, of failures that answered fast (refused, 5xx). Default 1. */
  retries?: number;
  /** Delay before the first retry, in ms (exponential with jitter after it). Default 100. */
  retryDelayMs?: number;
  /** Consecutive failures that open the breaker. Default 5. */
  breakerFailures?: number;
  /** How long the breaker stays open before it lets one probe call through, in ms. Default 10000. */
  halfOpenAfterMs?: number;
  /**
   * Calls to Ollama waiting for an answer at most (a bulkhead): Ollama runs a few generations in parallel
   * and queues the rest itself, so more than a small multiple of that only adds waiting. Default 32. A
   * stream holds its slot until Ollama starts answering, not for its whole length.
   */
  maxConcurrent?: number;
  /** Calls waiting for a slot at most; beyond it a call is refused at once (503). Default 64. */
  maxQueued?: number;
  /**
   * Longest pause between two chunks of a stream that has started, in ms; after it the stream is given up
   * (the client gets an error line) and the breaker counts a failure. Default 30000.
   */
  streamIdleTimeoutMs?: number;
}

/** The Ollama endpoints the gateway calls: each has a circuit breaker of its own. */
export type OllamaOperation = 'chat' | 'generate' | 'embed';

export const OLLAMA_OPERATIONS: readonly OllamaOperation[] = ['chat', 'generate', 'embed'];

/** The policy every call to Ollama runs under, with the settings in force. */
export interface OllamaPolicy {
  /**
   * Runs `call` for `operation` under deadline → retry → bulkhead → that operation's breaker. The signal
   * `call` gets aborts when the deadline passes or `signal` (the caller's) aborts.
   */
  execute<T>(
    operation: OllamaOperation,
    call: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T>;
  /**
   * Starts a stream under the same policy; resolves with its chunks once Ollama has started answering.
   * The deadline and the slot cover the start only (a long generation is not cut off), but the breaker
   * sees the whole stream: one that fails halfway, or pauses for longer than `streamIdleTimeoutMs`, is a
   * failure. `clientGone` aborts the stream at any time, which the breaker never counts.
   */
  stream<T>(
    operation: OllamaOperation,
    start: (signal: AbortSignal) => Promise<AsyncIterable<T>>,
    clientGone: AbortSignal,
  ): Promise<AsyncIterable<T>>;
  /**
   * The circuit breakers, one per operation (`circuit_breaker_state{breaker_name="ollama.chat"}` and so on):
   * a stalled chat model opens the chat breaker while embeddings, served by another model, go on.
   */
  readonly breakers: Readonly<Record<OllamaOperation, CircuitBreakerPolicy>>;
  readonly settings: Readonly<Required<PolicyOptions>>;
  /** Stops the policy's metrics and removes the breakers from `/health`. */
  dispose(): void;
}

/** The `breaker_name` of one operation's breaker: `ollama.chat`, `ollama.embed`, … */
export function breakerName(policyName: string, operation: OllamaOperation): string {
  return `${policyName}.${operation}`;
}

/** An attempt cut off by the call's deadline (not by its caller): Ollama was too slow, and the breaker counts it. */
export class DeadlineExceededError extends TimeoutError {}

/**
 * A call whose deadline passed while it had run for less than half of it: most of the wait was the queue
 * for a slot (the gateway is saturated), so it says nothing about Ollama and the breaker does not count it.
 * The client still gets a 504.
 */
export class QueuedPastDeadlineError extends TimeoutError {}

/**
 * Whether an error says Ollama is in trouble, so the breaker counts it: unreachable, 5xx, a broken answer
 * or stream, or too slow. A 4xx (unknown model, bad request) is the caller's problem: Ollama answered, and
 * counting it would let one client with a typo open the breaker for everyone.
 */
export function isUpstreamFailure(error: unknown): boolean {
  return (
    error instanceof ConnectionError ||
    (error instanceof TimeoutError && !(error instanceof QueuedPastDeadlineError)) ||
    error instanceof TaskCancelledError ||
    error instanceof MalformedResponseError ||
    (error instanceof ResponseError &&
      // An error line in the middle of a stream: Ollama failed after it had answered 200.
      (error.status_code >= 500 || error.code === OllamaErrorCode.STREAM_ERROR))
  );
}

/**
 * Whether retrying can help: the failure came fast (refused, 5xx). A timeout is not retried: the
 * caller has already waited a whole attempt, and a second one would double the wait during an outage.
 */
export function isRetryable(error: unknown): boolean {
  return (
    // Refused or unresolvable: Ollama never had the request. A reset may come after it began generating,
    // and retrying that would make it generate twice.
    (error instanceof ConnectionError && error.code === OllamaErrorCode.CONNECTION_FAILED) ||
    (error instanceof ResponseError && error.status_code >= 500)
  );
}

/**
 * Builds the deadline → retry → bulkhead → circuit breaker policy for Ollama calls, instrumented by
 * `@sightglass/resilience`: `timeouts_total`, `retry_*`, `bulkhead_*` and, per operation, `circuit_breaker_*`
 * metrics, and the breakers in `/health`.
 *
 * The order matters:
 * - The deadline is outermost: `timeoutMs` bounds the caller's whole wait, queueing for a slot and retries
 *   included. An attempt it cuts off counts as a failure to the breaker; one the caller abandons does not.
 * - The retry is outside the breakers, so a call an open breaker rejects is not retried (the breaker exists
 *   to fail fast).
 * - The bulkhead is outside the breakers: a call that waits for a slot has not passed its breaker yet, so when
 *   the breaker opens, the calls waiting for it are rejected at once instead of going to Ollama later.
 * - One breaker per operation: with chat stalled and embeddings healthy, embed successes do not reset the
 *   count of chat failures (a breaker that counts consecutive failures across both never opens).
 *
 * @example
 * const policy = createOllamaPolicy({ timeoutMs: 30_000 });
 * const reply = await policy.execute('chat', (signal) => ollama.chat(request, { signal }));
 */
export function createOllamaPolicy(options: PolicyOptions = {}): OllamaPolicy {
  const settings: Required<PolicyOptions> = {
    name: options.name ?? 'ollama',
    timeoutMs: options.timeoutMs ?? 60_000,
    retries: options.retries ?? 1,
    retryDelayMs: options.retryDelayMs ?? 100,
    breakerFailures: options.breakerFailures ?? 5,
    halfOpenAfterMs: options.halfOpenAfterMs ?? 10_000,
    maxConcurrent: options.maxConcurrent ?? 32,
    maxQueued: options.maxQueued ?? 64,
    streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? 30_000,
  };
  const deadline = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive);
  const retrying = retry(handleWhen(isRetryable), {
    maxAttempts: settings.retries,
    backoff: new ExponentialBackoff({
      initialDelay: settings.retryDelayMs,
      maxDelay: settings.retryDelayMs * 8,
    }),
  });
  // Shared by every operation: Ollama's parallelism is one budget. A call refused for want of a slot never
  // reaches a breaker, so the breakers ignore overload.
  const slots = bulkhead(settings.maxConcurrent, settings.maxQueued);
  const outer = instrumentPolicy(wrap(deadline, retrying), { name: settings.name });
  const breakers = {} as Record<OllamaOperation, CircuitBreakerPolicy>;
  const instrumented: Array<{ dispose(): void }> = [outer, instrumentPolicy(slots, { name: settings.name })];
  const waiting = new Map<OllamaOperation, Set<() => void>>();
  for (const operation of OLLAMA_OPERATIONS) {
    const breaker = circuitBreaker(handleWhen(isUpstreamFailure), {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailures),
    });
    breakers[operation] = breaker;
    instrumented.push(instrumentPolicy(breaker, { name: breakerName(settings.name, operation) }));
    const queue = new Set<() => void>();
    waiting.set(operation, queue);
    // The calls waiting for a slot go to the open breaker now, which rejects them, rather than to Ollama later.
    const onBreak = breaker.onBreak(() => {
      for (const skipQueue of [...queue]) skipQueue();
    });
    instrumented.push(onBreak);
  }

  const deadlineExceeded = (cause?: unknown) =>
    new DeadlineExceededError(`Ollama did not answer within ${settings.timeoutMs} ms`, { cause });

  /**
   * `error`, or what the deadline made of it when `signal` aborted and the caller did not: a
   * {@link DeadlineExceededError} (counted against Ollama) when the attempt had run for at least half of the
   * deadline since `startedAt`, else a {@link QueuedPastDeadlineError} (the queue's fault, not counted).
   */
  const deadlineOr = (
    error: unknown,
    signal: AbortSignal,
    caller: AbortSignal | undefined,
    startedAt: number,
  ): unknown => {
    if (!signal.aborted || caller?.aborted || error instanceof TimeoutError) return error;
    if (performance.now() - startedAt >= settings.timeoutMs / 2) return deadlineExceeded(error);
    return new QueuedPastDeadlineError(`Ollama did not answer within ${settings.timeoutMs} ms`, {
      cause: error,
    });
  };

  /**
   * One attempt: a slot, then the operation's breaker, then `work`. The slot is given back when `work`
   * settles, or earlier when it calls `freeSlot` (a stream once started: its length is not Ollama's queue).
   * Resolves or rejects as `work` does, which is what the breaker counts. Abandoned while it waits for a slot
   * (`attemptSignal` aborted: the deadline passed, or the caller left), it never starts.
   */
  const attempt = <T>(
    operation: OllamaOperation,
    attemptSignal: AbortSignal,
    work: (signal: AbortSignal, freeSlot: () => void) => Promise<T>,
  ): Promise<T> => {
    const breaker = breakers[operation];
    // Not closed: the breaker rejects the call at once, or it is the probe, or it waits for the probe in
    // flight. None of them waits for a slot, so an operation probing never holds the others' slots.
    if (breaker.state !== CircuitState.Closed) {
      return breaker.execute(({ signal }) => work(signal, () => {}), attemptSignal);
    }
    const queue = waiting.get(operation)!;
    return new Promise<T>((resolve, reject) => {
      let started = false;
      const start = (): Promise<unknown> => {
        started = true;
        queue.delete(skipQueue);
        let freeSlot!: () => void;
        const slotFreed = new Promise<void>((free) => {
          freeSlot = free;
        });
        const done = breaker.execute(({ signal }) => work(signal, freeSlot), attemptSignal);
        done.then(resolve, reject);
        return Promise.race([done, slotFreed]);
      };
      function skipQueue(): void {
        if (started) return;
        start().catch(() => {}); // its outcome reaches the caller through `done`
      }
      queue.add(skipQueue);
      // No signal for the bulkhead: cockatiel drops an aborted entry when its turn comes without handing the
      // slot on, which would stall the queue behind it. A call that left the queue (or was abandoned) runs
      // as nothing instead, giving its slot straight back.
      slots
        .execute(() => (started || attemptSignal.aborted ? Promise.resolve() : start()))
        .then(undefined, (error: unknown) => {
          if (!started) reject(error); // refused a slot: the bulkhead is full
        })
        .finally(() => queue.delete(skipQueue));
    });
  };

  // Each attempt's signal aborts with the reason that says why (the caller's, or a DeadlineExceededError), so
  // the client and its metrics report a deadline as a timeout; it follows the deadline only while the
  // attempt runs (executeWithSignal in @sightglass/resilience).
  const signalled = { timeoutReason: () => deadlineExceeded() };
  return {
    execute: (operation, call, caller) =>
      executeWithSignal(
        outer,
        (attemptSignal) =>
          attempt(operation, attemptSignal, async (signal) => {
            const startedAt = performance.now();
            try {
              return await call(signal);
            } catch (error) {
              throw deadlineOr(error, signal, caller, startedAt);
            }
          }),
        { ...signalled, signal: caller },
      ),
    // The deadline aborts the stream's signal only until Ollama starts answering (executeWithSignal lets go of
    // it when the start resolves), the client leaving at any time, and so does an idle stream. The client is
    // kept out of the policy, so that its leaving never surfaces as the policy's timeout, which the breaker
    // would count against Ollama.
    stream: (operation, start, clientGone) =>
      executeWithSignal(
        outer,
        (attemptSignal) =>
          new Promise<AsyncIterable<never>>((resolve, reject) => {
            const work = async (signal: AbortSignal, freeSlot: () => void) => {
              const startedAt = performance.now();
              const ending = new AbortController(); // ends a started stream: idle, or nobody to read it
              let chunks: AsyncIterable<never>;
              try {
                chunks = (await start(AbortSignal.any([signal, ending.signal]))) as AsyncIterable<never>;
              } catch (error) {
                throw deadlineOr(error, signal, clientGone, startedAt);
              }
              if (signal.aborted && !clientGone.aborted) {
                // Started after its caller stopped waiting (it waited for a half-open probe past its
                // deadline): nobody will read it.
                ending.abort(deadlineExceeded());
                throw new AbortError('the stream started after its caller had stopped waiting');
              }
              const watched = watchStream(chunks, settings.streamIdleTimeoutMs, (reason) =>
                ending.abort(reason),
              );
              resolve(watched.chunks);
              freeSlot();
              await watched.ended; // what the breaker counts: how the stream ended
            };
            // before the start, the caller's failure; after it, the stream's reader sees it
            attempt(operation, attemptSignal, work).catch(reject);
          }),
        { ...signalled, signal: clientGone, abortPolicy: false },
      ),
    breakers,
    settings,
    dispose: () => {
      for (const part of instrumented) part.dispose();
    },
  };
}
