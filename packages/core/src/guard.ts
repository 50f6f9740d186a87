import { diag } from '@opentelemetry/api';

/** How many distinct failure kinds are remembered; past this every kind is logged once more at most. */
const MAX_REMEMBERED_KINDS = 1000;
const reportedKinds = new Set<string>();

/**
 * Reports a failure inside instrumentation to the OTel diag logger, once per `kind`, so that a listener
 * failing on every call cannot flood the logs. Never throws.
 */
export function reportInstrumentationError(kind: string, error: unknown): void {
  try {
    if (reportedKinds.has(kind)) return;
    if (reportedKinds.size >= MAX_REMEMBERED_KINDS) reportedKinds.clear();
    reportedKinds.add(kind);
    diag.error(`sightglass: ${kind} failed; further failures of this kind are not logged`, error);
  } catch {
    // A broken diag logger must not break the caller either.
  }
}

/** Forgets which failure kinds were logged (tests). */
export function resetReportedErrors(): void {
  reportedKinds.clear();
}

/**
 * Wraps a listener or callback so that nothing it throws, or rejects with, reaches the code that called
 * it: the error goes to {@link reportInstrumentationError} and the call returns `fallback` instead.
 * Use it for every function that instrumentation hands to a library that calls it inside the user's path.
 */
export function guard<A extends unknown[], R>(
  kind: string,
  fn: (...args: A) => R,
  fallback?: R,
): (...args: A) => R | undefined {
  return function guarded(this: unknown, ...args: A): R | undefined {
    try {
      const result = fn.apply(this, args);
      if (isThenable(result)) {
        return result.then(undefined, (error: unknown) => {
          reportInstrumentationError(kind, error);
          return fallback;
        }) as R;
      }
      return result;
    } catch (error) {
      reportInstrumentationError(kind, error);
      return fallback;
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
