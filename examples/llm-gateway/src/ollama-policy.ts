import { ConnectionError, MalformedResponseError, ResponseError, TimeoutError } from '@sightglass/ollama';
import { instrumentPolicy } from '@sightglass/resilience';
import {
  bulkhead,
  type CircuitBreakerPolicy,
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

/** How calls to Ollama are protected. Every field is optional; the defaults suit a real Ollama. */
export interface PolicyOptions {
  /** `breaker_name` / `policy_name` of the metrics and the breaker's name in `/health`. Default `ollama`. */
  name?: string;
  /** Time one attempt may take, in ms. Default 60000 (a long generation on a busy GPU). */
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
}

/** The policy every call to Ollama runs under, with the settings in force. */
export interface OllamaPolicy {
  /**
   * Runs `call` under retry → breaker → bulkhead → timeout. The signal `call` gets aborts when the attempt times out or
   * `signal` (the caller's) aborts.
   */
  execute<T>(call: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** The circuit breaker inside (its state is also `circuit_breaker_state{breaker_name}`). */
  readonly breaker: CircuitBreakerPolicy;
  readonly settings: Readonly<Required<PolicyOptions>>;
  /** Stops the policy's metrics and removes the breaker from `/health`. */
  dispose(): void;
}

/**
 * Whether an error says Ollama is in trouble, so the breaker counts it: unreachable, 5xx, a broken answer,
 * or too slow. A 4xx (unknown model, bad request) is the caller's problem: Ollama answered, and counting it
 * would let one client with a typo open the breaker for everyone.
 */
export function isUpstreamFailure(error: unknown): boolean {
  return (
    error instanceof ConnectionError ||
    error instanceof TimeoutError ||
    error instanceof TaskCancelledError ||
    error instanceof MalformedResponseError ||
    (error instanceof ResponseError && error.status_code >= 500)
  );
}

/**
 * Whether retrying can help: the failure came fast (refused, reset, 5xx). A timeout is not retried: the
 * caller has already waited a whole attempt, and a second one would double the wait during an outage.
 */
export function isRetryable(error: unknown): boolean {
  return error instanceof ConnectionError || (error instanceof ResponseError && error.status_code >= 500);
}

/**
 * Builds the retry → circuit breaker → bulkhead → timeout policy for Ollama calls, instrumented by
 * `@sightglass/resilience`: `circuit_breaker_*`, `retry_*`, `bulkhead_*` and `timeouts_total` metrics, and the
 * breaker in `/health`.
 *
 * The order matters. The timeout is innermost, so each attempt gets its own time limit and the breaker counts
 * a timed-out attempt as a failure. The retry is outermost, so a call the open breaker rejects is not retried
 * (the breaker exists to fail fast).
 *
 * @example
 * const policy = createOllamaPolicy({ timeoutMs: 30_000 });
 * const reply = await policy.execute((signal) => ollama.chat(request, { signal }));
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
  };
  const breaker = circuitBreaker(handleWhen(isUpstreamFailure), {
    halfOpenAfter: settings.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(settings.breakerFailures),
  });
  const retrying = retry(handleWhen(isRetryable), {
    maxAttempts: settings.retries,
    backoff: new ExponentialBackoff({
      initialDelay: settings.retryDelayMs,
      maxDelay: settings.retryDelayMs * 8,
    }),
  });
  // Inside the breaker: a call refused for want of a slot is not Ollama failing, and the breaker ignores it.
  const slots = bulkhead(settings.maxConcurrent, settings.maxQueued);
  const limited = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive);
  const policy = instrumentPolicy(wrap(retrying, breaker, slots, limited), { name: settings.name });
  return {
    // The policy wraps the client call from outside (rather than going in the client's `policy` option), so
    // that the cache's loads and the streams' starts share one policy: see the README.
    // Always a signal of the call's own: without one, cockatiel derives every attempt's timeout from one shared
    // never-aborted signal, which collects a listener per call in flight (Node warns past 10).
    execute: (call, signal = new AbortController().signal) =>
      policy.execute((context) => call(context.signal), signal),
    breaker,
    settings,
    dispose: () => policy.dispose(),
  };
}
