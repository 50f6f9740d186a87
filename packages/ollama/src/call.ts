import { AbortError, isTimeoutReason, TimeoutError } from './errors.js';

/**
 * The error of a call, or of a policy's attempt, aborted with `reason`: a `TimeoutError` when the reason
 * says a deadline passed (`AbortSignal.timeout()`, a policy's `TimeoutError`), as fetch then rejects with
 * a `TimeoutError` too; else an `AbortError`.
 */
function abortedBy(reason: unknown, by: 'signal' | 'policy'): AbortError | TimeoutError {
  const options = { cause: reason };
  if (isTimeoutReason(reason)) {
    return new TimeoutError(`The Ollama call's ${by} aborted it with a timeout`, options);
  }
  return by === 'signal'
    ? new AbortError('The Ollama call was aborted by its signal', options)
    : new AbortError('The Ollama call was cancelled by its policy', options);
}

/**
 * One call's cancellation: a single AbortController that the caller's `signal`, the call's timeout and the
 * client's `abort()`/`close()` all abort, with the reason kept so the call throws the right typed error.
 */
export class Call {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onExternalAbort: (() => void) | undefined;
  private settled = false;
  /** Why {@link abort} aborted the call: the controller's signal's reason, read without the signal. */
  private abortReason: AbortError | TimeoutError | undefined;
  /** The current attempt under a policy: its own abort (the policy's), and the signal its request uses. */
  private attempt: { readonly policy: AbortController; readonly signal: AbortSignal } | undefined;

  constructor(
    private readonly registry: Set<Call>,
    private readonly external: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ) {
    if (external !== undefined) {
      if (external.aborted) {
        this.abort(abortedBy(external.reason, 'signal'));
        return;
      }
      const onExternalAbort = () => this.abort(abortedBy(external.reason, 'signal'));
      this.onExternalAbort = onExternalAbort;
      external.addEventListener('abort', onExternalAbort, { once: true });
    }
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(
        () => this.abort(new TimeoutError(`The Ollama call did not finish within ${timeoutMs} ms`)),
        timeoutMs,
      );
    }
    registry.add(this);
  }

  /** The signal handed to undici (and to a policy); aborts with an `AbortError` or `TimeoutError`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * The signal for the request on the wire: the call's, or during a policy's attempt, the attempt's (which
   * the call's abort aborts too). A request or answer body started in an attempt keeps it after the attempt.
   */
  get requestSignal(): AbortSignal {
    return this.attempt?.signal ?? this.controller.signal;
  }

  /**
   * Starts an attempt of a policy (a retry, a timeout) whose `policySignal` aborts this attempt only, so that
   * the policy's timeout cancels one try and its retry can make the next. Returns the function that ends the
   * attempt: from then on the policy's signal no longer reaches the request (a stream it started goes on).
   */
  beginAttempt(policySignal: AbortSignal): () => void {
    const policy = new AbortController();
    // AbortSignal.any follows the call's signal without a listener on it per attempt (no pile-up on retries).
    this.attempt = { policy, signal: AbortSignal.any([this.controller.signal, policy.signal]) };
    const onPolicyAbort = () => policy.abort(abortedBy(policySignal.reason, 'policy'));
    if (policySignal.aborted) onPolicyAbort();
    else policySignal.addEventListener('abort', onPolicyAbort, { once: true });
    return () => policySignal.removeEventListener('abort', onPolicyAbort);
  }

  /** Why the call, or else its current attempt, was aborted, if it was. */
  get requestReason(): AbortError | TimeoutError | undefined {
    return (
      this.reason ??
      (this.attempt?.policy.signal.aborted
        ? (this.attempt.policy.signal.reason as AbortError | TimeoutError)
        : undefined)
    );
  }

  /**
   * Why the call was aborted, if it was. Kept in a field (only {@link abort} aborts the controller): a stream
   * asks for every line, and the signal's `aborted` getter costs a brand check each time.
   */
  get reason(): AbortError | TimeoutError | undefined {
    return this.abortReason;
  }

  /** Aborts the call (first reason wins) and releases its timer and listener. */
  abort(reason: AbortError | TimeoutError): void {
    if (this.abortReason === undefined) {
      this.abortReason = reason;
      this.controller.abort(reason);
    }
    this.settle();
  }

  /** The call is over: stop its timer, stop listening to the caller's signal. Idempotent. */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.onExternalAbort !== undefined) this.external?.removeEventListener('abort', this.onExternalAbort);
    this.registry.delete(this);
  }
}
