import type { CounterCell } from '@sightglass/core';
import type { CircuitBreakerLike } from './cockatiel-types.js';

/**
 * The two places inside a cockatiel circuit breaker where every outcome passes synchronously: the breaker
 * strategy (`ConsecutiveBreaker`, `SamplingBreaker`, ...) told of each success and each counted failure
 * (`breaker.options.breaker`), and the error filter asked about each error (`breaker.executor.errorFilter`).
 * Both are plain fields in cockatiel 3 and 4.
 *
 * Why not `onSuccess`/`onFailure`: once either has a listener, cockatiel times every call with two
 * `process.hrtime.bigint()` readings, which alone nearly doubles the cost of a fast call. Observing here
 * costs one extra function call per outcome.
 */
interface Strategy {
  success(state: number): void;
  failure(state: number): boolean;
}
interface Executor {
  errorFilter(error: Error): boolean;
}
interface BreakerFields {
  options: { breaker: Strategy };
  executor: Executor;
}

/** The counters to increment as cockatiel decides each outcome, and where a counting failure goes. */
export interface OutcomeCounters {
  readonly success: CounterCell;
  /** Every counter a handled failure increments (calls by outcome, and the failures total). */
  readonly failure: readonly CounterCell[];
  readonly ignored: CounterCell;
  /** Called if counting throws; the outcome still reaches cockatiel unchanged. */
  readonly onError: (error: unknown) => void;
}

function hasInternals(breaker: object): breaker is BreakerFields {
  const fields = breaker as Partial<{
    options: { breaker?: Partial<Strategy> };
    executor: Partial<Executor>;
  }>;
  return (
    typeof fields.options?.breaker?.success === 'function' &&
    typeof fields.options.breaker.failure === 'function' &&
    typeof fields.executor?.errorFilter === 'function'
  );
}

/**
 * Observes a breaker's outcomes at its internals. The breaker's own `options` and `executor` fields are
 * replaced by delegates that count, then call the originals; the strategy and executor objects themselves
 * are untouched, so a strategy or options object shared by two breakers keeps each breaker's counts apart.
 * Returns the function that puts the fields back, or undefined when this cockatiel has other internals.
 */
export function observeOutcomes(
  breaker: CircuitBreakerLike,
  counters: OutcomeCounters,
): (() => void) | undefined {
  if (!hasInternals(breaker)) return undefined;
  const options = breaker.options;
  const executor = breaker.executor;
  const strategy = options.breaker;

  const countingStrategy: Strategy = Object.create(strategy);
  // These run inside every call: counting is inlined and cannot throw into cockatiel.
  countingStrategy.success = (state) => {
    try {
      counters.success.inc();
    } catch (error) {
      counters.onError(error);
    }
    return strategy.success(state);
  };
  countingStrategy.failure = (state) => {
    try {
      for (const cell of counters.failure) cell.inc();
    } catch (error) {
      counters.onError(error);
    }
    return strategy.failure(state);
  };
  const countingExecutor: Executor = Object.create(executor);
  countingExecutor.errorFilter = (error) => {
    const handled = executor.errorFilter(error);
    if (!handled) {
      try {
        counters.ignored.inc();
      } catch (countingError) {
        counters.onError(countingError);
      }
    }
    return handled;
  };
  const countingOptions = { ...options, breaker: countingStrategy };
  replaceField(breaker, 'options', countingOptions);
  replaceField(breaker, 'executor', countingExecutor);
  return () => {
    if (breaker.options === countingOptions) replaceField(breaker, 'options', options);
    if (breaker.executor === countingExecutor) replaceField(breaker, 'executor', executor);
  };
}

function replaceField<T extends object, K extends keyof T>(object: T, key: K, value: T[K]): void {
  Object.defineProperty(object, key, { value, configurable: true, writable: true, enumerable: true });
}

/**
 * Replaces `object[key]` with `replacement` (as an own property) and returns the function that puts the
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
