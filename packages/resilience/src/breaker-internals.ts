import type { CounterCell } from '@sightglass/core';
import type { CircuitBreakerLike } from './cockatiel-types.js';

/**
 * Where every call a cockatiel circuit breaker runs is judged, exactly once, in every state and in both
 * cockatiel 3 and 4: the breaker's executor asks its result filter about each value (`false`: success,
 * `true`: a counted failure) or its error filter about each error (`true`: a counted failure, `false`:
 * ignored). `breaker.executor` is a plain field in both majors.
 *
 * Why not `onSuccess`/`onFailure`: once either has a listener, cockatiel times every call with two clock
 * readings (`performance.now()`) and emits an event object, which alone nearly doubles the cost of a fast
 * call. Wrapping the filters costs one extra function call per call.
 */
interface Executor {
  errorFilter(error: Error): boolean;
  resultFilter(result: unknown): boolean;
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

function executorOf(breaker: object): Executor | undefined {
  const executor = (breaker as { executor?: Partial<Executor> }).executor;
  return typeof executor?.errorFilter === 'function' && typeof executor.resultFilter === 'function'
    ? (executor as Executor)
    : undefined;
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
  const executor = executorOf(breaker);
  if (executor === undefined) return undefined;
  // These run inside every call: counting is inlined and cannot throw into cockatiel.
  const countFailure = (): void => {
    try {
      for (const cell of counters.failure) cell.inc();
    } catch (error) {
      counters.onError(error);
    }
  };
  const counting: Executor = Object.create(executor);
  counting.resultFilter = (result) => {
    const failed = executor.resultFilter(result);
    if (failed) countFailure();
    else {
      try {
        counters.success.inc();
      } catch (error) {
        counters.onError(error);
      }
    }
    return failed;
  };
  counting.errorFilter = (error) => {
    const handled = executor.errorFilter(error);
    if (handled) countFailure();
    else {
      try {
        counters.ignored.inc();
      } catch (countingError) {
        counters.onError(countingError);
      }
    }
    return handled;
  };
  const fields = breaker as unknown as { executor: Executor };
  replaceField(fields, 'executor', counting);
  return () => {
    if (fields.executor === counting) replaceField(fields, 'executor', executor);
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
