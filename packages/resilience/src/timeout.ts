import type { Span } from '@opentelemetry/api';
import { CATALOG } from '@sightglass/core';
import { addSpanEvent, recordingSpan } from '@sightglass/core/internal';
import { patchProperty, timeoutDuration } from './cockatiel-internals.js';
import { isTimeout, type TimeoutLike } from './cockatiel-types.js';
import { type Instrumented, instrument } from './instrumentation.js';
import type { PolicyInstrumentationOptions } from './retry.js';
import { ATTR_POLICY_NAME, ATTR_TIMEOUT_MS, EVENT_TIMEOUT } from './span-attributes.js';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * Reports a cockatiel timeout policy: `timeouts_total` counts the calls it cut off. On a recording active
 * span, a call cut off adds a `sightglass.timeout` event with the timeout in milliseconds.
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

    // cockatiel's onTimeout fires from a timer (or from whoever aborts the caller's signal), where the
    // active span need not be the caller's, and says nothing about which call it cut off. So the span is
    // taken when the call arrives, and only then is the call watched: its function's signal aborting while
    // the function still runs, and not because the caller's own signal aborted, is the timeout.
    const recordTimeout = (span: Span): void => {
      addSpanEvent(span, EVENT_TIMEOUT, {
        [ATTR_POLICY_NAME]: name,
        [ATTR_TIMEOUT_MS]: timeoutDuration(policy),
      });
    };
    const original = policy.execute;
    const execute: P['execute'] = (fn, signal) => {
      const span = recordingSpan();
      if (span === undefined) return original.call(policy, fn, signal);
      const watched = (context: { signal: AbortSignal }, ...rest: unknown[]) => {
        const inner = context?.signal;
        if (typeof inner?.addEventListener !== 'function') {
          return (fn as (...args: unknown[]) => unknown)(context, ...rest); // another cockatiel: unwatched
        }
        const onAbort = (): void => {
          if (signal?.aborted !== true) recordTimeout(span);
        };
        inner.addEventListener('abort', onAbort, { once: true });
        const stop = (): void => inner.removeEventListener('abort', onAbort);
        let result: unknown;
        try {
          result = (fn as (...args: unknown[]) => unknown)(context, ...rest);
        } catch (error) {
          stop();
          throw error;
        }
        if (isThenable(result)) result.then(stop, stop);
        else stop();
        return result;
      };
      return original.call(policy, watched, signal);
    };
    attachments.onDispose(patchProperty(policy, 'execute', execute));
  });
}
