import { CATALOG } from '@sightglass/core';
import { isRetry, type RetryLike } from './cockatiel-types.js';
import { type Instrumented, instrument } from './instrumentation.js';

/** Options of {@link instrumentRetry}, {@link instrumentTimeout} and {@link instrumentBulkhead}. */
export interface PolicyInstrumentationOptions {
  /** The `policy_name` label: 1–64 characters. */
  name: string;
}

/**
 * Reports a cockatiel retry policy: `retry_attempts_total` counts retries scheduled (attempts after the
 * first), `retry_exhausted_total` the calls it gave up on.
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
    attachments.listen(policy.onRetry, () => attempts.inc());
    attachments.listen(policy.onGiveUp, () => exhausted.inc());
  });
}
