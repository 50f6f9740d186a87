/** A cockatiel policy (any kind, or a `wrap(...)`), as {@link executeWithSignal} calls it. */
export interface ExecutingPolicy {
  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T>;
}

/** Options of {@link executeWithSignal}. */
export interface ExecuteWithSignalOptions {
  /**
   * The caller's signal. It aborts the function's signal with its own reason at any time, also once the
   * function has settled (a body or a stream the function started is the caller's to cancel).
   */
  signal?: AbortSignal;
  /**
   * Hand the caller's `signal` to the policy too: a retry's backoff and a bulkhead's queue stop waiting when
   * it aborts, and a timeout policy then rejects with its `TaskCancelledError`. `false` keeps the caller out of
   * the policy (it still aborts the function): a caller leaving never shows as the policy's timeout.
   * @default true
   */
  abortPolicy?: boolean;
  /**
   * The reason the function's signal aborts with when the policy aborts it (a timeout policy cut the
   * attempt off) while the caller's signal has not aborted.
   * @default a `DOMException` named `TimeoutError`, as `AbortSignal.timeout()` aborts with
   */
  timeoutReason?: () => unknown;
}

function defaultTimeoutReason(): unknown {
  return new DOMException('The policy cut the call off', 'TimeoutError');
}

/**
 * Runs `fn` under a cockatiel policy with a signal that says why it aborted, for a client that takes an
 * `AbortSignal` (`@sightglass/ollama`, `fetch`, undici). Three sharp edges of cockatiel's signals are filed off:
 *
 * - **A signal per execution.** Without a caller's signal, cockatiel hands the policies inside a `wrap(...)`
 *   one never-aborted signal shared by the whole module, and a timeout policy adds a listener to it per call
 *   in flight (Node warns past 10). Here the policy always gets a signal of the execution's own.
 * - **A reason.** cockatiel aborts its signals without one, so a client cannot tell a deadline from a caller
 *   leaving. `fn`'s signal aborts with the caller's reason, or else with `timeoutReason()` (a `TimeoutError`):
 *   `@sightglass/ollama` then throws its `TimeoutError` and records `error.type="timeout"`, as fetch does.
 * - **Only the attempt is guarded.** cockatiel's timeout policy aborts its signal whenever an execution
 *   returns, successes included, which would cancel a body or a stream still being read. The policy's abort
 *   reaches `fn`'s signal only while `fn` runs; a stream `fn` started goes on until it ends or the caller's
 *   signal aborts. So a policy around a stream's start bounds the wait for its first bytes, not its length.
 *
 * Each attempt (a retry runs `fn` again) gets a signal of its own. The policy's own errors
 * (`TaskCancelledError`, `BrokenCircuitError`, `BulkheadRejectedError`) reach the caller unchanged.
 *
 * @example
 * const reply = await executeWithSignal(policy, (signal) => ollama.chat(request, { signal }), { signal: request.signal });
 * const chunks = await executeWithSignal(policy, (signal) => ollama.chat({ ...request, stream: true }, { signal }));
 */
export function executeWithSignal<T>(
  policy: ExecutingPolicy,
  fn: (signal: AbortSignal) => PromiseLike<T> | T,
  options: ExecuteWithSignalOptions = {},
): Promise<T> {
  const caller = options.signal;
  const timeoutReason = options.timeoutReason ?? defaultTimeoutReason;
  // The policy gets a signal of this execution's own either way: one that follows the caller's (AbortSignal.any
  // adds no listener to it), so a signal shared by many calls (a server's shutdown) collects none of the
  // listeners a timeout policy adds per call in flight.
  const policySignal =
    caller !== undefined && options.abortPolicy !== false
      ? AbortSignal.any([caller])
      : new AbortController().signal;
  return policy.execute(async (context) => {
    const attempt = context?.signal;
    const cut = new AbortController();
    // AbortSignal.any follows the caller's signal without a listener on it per attempt: a long-lived caller's
    // signal (a server's shutdown) collects nothing.
    const signal = caller === undefined ? cut.signal : AbortSignal.any([caller, cut.signal]);
    if (typeof attempt?.addEventListener !== 'function') return fn(signal); // not cockatiel: no attempt signal
    const onAttemptAbort = () => cut.abort(caller?.aborted ? caller.reason : timeoutReason());
    if (attempt.aborted) onAttemptAbort();
    else attempt.addEventListener('abort', onAttemptAbort, { once: true });
    try {
      return await fn(signal);
    } finally {
      attempt.removeEventListener('abort', onAttemptAbort);
    }
  }, policySignal);
}
