import type { CounterCell } from '@sightglass/core';
import type { BulkheadLike, CircuitBreakerLike, TimeoutLike } from './cockatiel-types.js';

/**
 * The cockatiel internals @sightglass/resilience depends on, in this one module; cockatiel-internals.test.ts
 * is their canary, run against cockatiel 3 and 4, and fails naming the cockatiel version that moved them.
 * None of them is in cockatiel's public types; each access falls back to public behaviour when it is missing.
 *
 * 1. `CircuitBreakerPolicy.executor` (private): the `ExecuteWrapper` whose `errorFilter` and `resultFilter`
 *    (private) judge every call the breaker runs, exactly once, in every state: the result filter answers
 *    `false` for a success and `true` for a counted failure, the error filter `true` for a counted failure
 *    and `false` for an ignored error. The breaker reads `this.executor` on every call, so replacing the field
 *    on the instance reaches every call. Why not `onSuccess`/`onFailure`: once either has a listener,
 *    cockatiel times every call with two clock readings (`performance.now()`) and emits an event object,
 *    which alone nearly doubles the cost of a fast call; wrapping the filters costs one function call.
 * 2. `BulkheadPolicy.capacity` and `queueCapacity` (private): the sizes the bulkhead was built with, from
 *    which the gauges of calls running and queued are derived (the public `executionSlots`/`queueSlots` are
 *    what is free).
 * 3. `TimeoutPolicy.duration` (private): the timeout in milliseconds, shown on the span event of a call cut
 *    off.
 * 4. `execute` replaced on the policy instance: cockatiel's `wrap(...)` and its own re-entries (a bulkhead's
 *    queued call, a half-open breaker's waiting call) call `policy.execute`, so an own property shadowing
 *    the prototype's method sees every call.
 */

/** cockatiel's `ExecuteWrapper`, the parts read here. */
export interface BreakerExecutor {
  errorFilter(error: Error): boolean;
  resultFilter(result: unknown): boolean;
}

/** The breaker's private `executor`, or undefined when this cockatiel has no such field with both filters. */
export function breakerExecutor(breaker: object): BreakerExecutor | undefined {
  const executor = (breaker as { executor?: Partial<BreakerExecutor> }).executor;
  return typeof executor?.errorFilter === 'function' && typeof executor.resultFilter === 'function'
    ? (executor as BreakerExecutor)
    : undefined;
}

/** A finite number, else undefined. */
function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The number of calls a bulkhead runs at once (its private `capacity`), or undefined when not found. */
export function bulkheadCapacity(bulkhead: BulkheadLike): number | undefined {
  return finite((bulkhead as unknown as { capacity?: unknown }).capacity);
}

/** The number of calls a bulkhead queues (its private `queueCapacity`), or undefined when not found. */
export function bulkheadQueueCapacity(bulkhead: BulkheadLike): number | undefined {
  return finite((bulkhead as unknown as { queueCapacity?: unknown }).queueCapacity);
}

/** A timeout policy's duration in milliseconds (its private `duration`), or undefined when not found. */
export function timeoutDuration(policy: TimeoutLike): number | undefined {
  return finite((policy as unknown as { duration?: unknown }).duration);
}

/** The counters to increment as cockatiel judges each call, and where a counting failure goes. */
export interface OutcomeCounters {
  readonly success: CounterCell;
  /** Every counter a counted failure increments (calls by outcome, and the failures total). */
  readonly failure: readonly CounterCell[];
  readonly ignored: CounterCell;
  /** Called if counting throws; the judgement still reaches cockatiel unchanged. */
  readonly onError: (error: unknown) => void;
}

/**
 * Counts a breaker's outcomes at its executor's filters. The breaker's own `executor` field is replaced by a
 * delegate (`Object.create(executor)`) whose filters count, then answer as the originals do; the executor
 * object itself is untouched. Returns the function that puts the field back, or undefined when this
 * cockatiel has other internals (the caller then listens to the public events instead). A filter that throws
 * leaves its call uncounted, as cockatiel then fails the call with that error.
 */
export function observeOutcomes(
  breaker: CircuitBreakerLike,
  counters: OutcomeCounters,
): (() => void) | undefined {
  const executor = breakerExecutor(breaker);
  if (executor === undefined) return undefined;
  // These run inside every call: counting cannot throw into cockatiel.
  const count = (cell: CounterCell): void => {
    try {
      cell.inc();
    } catch (error) {
      counters.onError(error);
    }
  };
  const countFailure = (): void => {
    for (const cell of counters.failure) count(cell);
  };
  const counting: BreakerExecutor = Object.create(executor);
  counting.resultFilter = (result) => {
    const failed = executor.resultFilter(result);
    if (failed) countFailure();
    else count(counters.success);
    return failed;
  };
  counting.errorFilter = (error) => {
    const handled = executor.errorFilter(error);
    if (handled) countFailure();
    else count(counters.ignored);
    return handled;
  };
  const fields = breaker as unknown as { executor: BreakerExecutor };
  replaceField(fields, 'executor', counting);
  return () => {
    if (fields.executor === counting) replaceField(fields, 'executor', executor);
  };
}

function replaceField<T extends object, K extends keyof T>(object: T, key: K, value: T[K]): void {
  Object.defineProperty(object, key, { value, configurable: true, writable: true, enumerable: true });
}

/**
 * Replaces `object[key]` with `replacement` (as an own property: a policy's `execute`, see 4. above) and returns the function that puts the
 * original back, unless someone replaced it again in between.
 */
export function patchProperty<T extends object, K extends keyof T>(
  object: T,
  key: K,
  replacement: T[K],
): () => void {
  const original = object[key];
  const hadOwn = Object.hasOwn(object, key);
  Object.defineProperty(object, key, { value: replacement, configurable: true, writable: true });
  return () => {
    if (object[key] !== replacement) return; // patched again after us: leave that patch alone
    if (hadOwn) Object.defineProperty(object, key, { value: original, configurable: true, writable: true });
    else delete object[key];
  };
}
