import { CATALOG } from '@sightglass/core';
import { ATTR_ERROR_TYPE, addSpanEvent, recordingSpan, spanErrorType } from '@sightglass/core/internal';
import { type FailureReason, isRetry, type RetryLike } from './cockatiel-types.js';
import { type Instrumented, instrument } from './instrumentation.js';
import {
  ATTR_POLICY_NAME,
  ATTR_RETRY_ATTEMPT,
  ATTR_RETRY_DELAY_MS,
  EVENT_RETRY_GAVE_UP,
  EVENT_RETRY_SCHEDULED,
} from './span-attributes.js';

/** Options of {@link instrumentRetry}, {@link instrumentTimeout} and {@link instrumentBulkhead}. */
export interface PolicyInstrumentationOptions {
  /** The `policy_name` label: 1–64 characters. */
  name: string;
}

/** cockatiel's `onRetry` payload: the failure, the delay before the next attempt, and that attempt's number. */
type RetryEvent = FailureReason & { delay?: unknown; attempt?: unknown };

/** The `error.type` of a failure cockatiel reports: the error's, or `result` for a value its filter refused. */
function failureType(reason: FailureReason): string {
  return 'error' in reason ? spanErrorType(reason.error) : 'result';
}

/**
 * Reports a cockatiel retry policy: `retry_attempts_total` counts retries scheduled (attempts after the
 * first), `retry_exhausted_total` the calls it gave up on. On a recording active span, each retry adds a
 * `sightglass.retry.scheduled` event (attempt, delay, `error.type`) and giving up a `sightglass.retry.gave_up`.
 *
 * @example
 * const retrying = instrumentRetry(retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }), { name: 'ollama' });
 */
export function instrumentRetry<P extends RetryLike>(
  policy: P,
  options: PolicyInstrumentationOptions,
): Instrumented<P> {
  return instrument(policy, options, 'retry policy', isRetry, ({ name, attachments, metrics }) => {
    const attempts = metrics.counter(CATALOG.retryAttempts, { policy_name: name });
    const exhausted = metrics.counter(CATALOG.retryExhausted, { policy_name: name });
    // cockatiel emits both inside execute(), after awaiting the attempt: the caller's span is active.
    attachments.listen(policy.onRetry, (event) => {
      attempts.inc();
      const span = recordingSpan();
      if (span === undefined) return;
      const { attempt, delay } = event as RetryEvent;
      addSpanEvent(span, EVENT_RETRY_SCHEDULED, {
        [ATTR_POLICY_NAME]: name,
        [ATTR_RETRY_ATTEMPT]: typeof attempt === 'number' ? attempt : undefined,
        [ATTR_RETRY_DELAY_MS]: typeof delay === 'number' ? delay : undefined,
        [ATTR_ERROR_TYPE]: failureType(event as RetryEvent),
      });
    });
    attachments.listen(policy.onGiveUp, (event) => {
      exhausted.inc();
      const span = recordingSpan();
      if (span === undefined) return;
      addSpanEvent(span, EVENT_RETRY_GAVE_UP, {
        [ATTR_POLICY_NAME]: name,
        [ATTR_ERROR_TYPE]: failureType(event as FailureReason),
      });
    });
  });
}
