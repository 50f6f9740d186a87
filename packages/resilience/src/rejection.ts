import { BrokenCircuitError, IsolatedCircuitError } from 'cockatiel';

/**
 * Whether an error is cockatiel's rejection of a call by an open or isolated breaker.
 *
 * `instanceof` is the primary test (cockatiel 3.2.1's `isIsolatedCircuitError` and `isTaskCancelledError`
 * helpers check the wrong marker). The marker properties cockatiel sets on these errors are the fallback for
 * an application that ends up with a second copy of cockatiel, whose classes `instanceof` cannot see.
 */
export function isCircuitRejection(error: unknown): boolean {
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) return true;
  return (
    error instanceof Error &&
    ((error as { isBrokenCircuitError?: unknown }).isBrokenCircuitError === true ||
      (error as { isIsolatedCircuitError?: unknown }).isIsolatedCircuitError === true)
  );
}
