import { AbortError, isTimeoutReason, TimeoutError } from './errors.js';

/**
 * The error of a call whose signal aborted with `reason`: a `TimeoutError` when the reason says a deadline
 * passed (`AbortSignal.timeout()`, a policy's timeout, any error named `TimeoutError`), as fetch then
 * rejects with a `TimeoutError` too; else an `AbortError`.
 */
function abortedBy(reason: unknown): AbortError | TimeoutError {
  const options = { cause: reason };
  if (isTimeoutReason(reason)) {
    return new TimeoutError("The Ollama call's signal aborted it with a timeout", options);
  }
  return new AbortError('The Ollama call was aborted by its signal', options);
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

  constructor(
    private readonly registry: Set<Call>,
    private readonly external: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ) {
    if (external !== undefined) {
      if (external.aborted) {
        this.abort(abortedBy(external.reason));
        return;
      }
      const onExternalAbort = () => this.abort(abortedBy(external.reason));
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

  /** The signal handed to undici; aborts with an `AbortError` or `TimeoutError`. */
  get signal(): AbortSignal {
    return this.controller.signal;
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
