import { CATALOG } from '@sightglass/core';
import { isTimeout, type TimeoutLike } from './cockatiel-types.js';
import { type Instrumented, instrument } from './instrumentation.js';
import type { PolicyInstrumentationOptions } from './retry.js';

/**
 * Reports a cockatiel timeout policy: `timeouts_total` counts the calls it cut off.
 *
 * @example
 * const limited = instrumentTimeout(timeout(30_000, TimeoutStrategy.Aggressive), { name: 'ollama' });
 */
export function instrumentTimeout<P extends TimeoutLike>(
  policy: P,
  options: PolicyInstrumentationOptions,
): Instrumented<P> {
  return instrument(policy, options, 'timeout policy', isTimeout, ({ name, attachments, metrics }) => {
    const timeouts = metrics.counter(CATALOG.timeouts, { policy_name: name });
    attachments.listen(policy.onTimeout, () => timeouts.inc());
  });
}
