import { type Context, context, ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import { CATALOG } from '@sightglass/core';
import { addSpanEvent, recordingSpan } from '@sightglass/core/internal';
import { bulkheadCapacity, bulkheadQueueCapacity, patchProperty } from './cockatiel-internals.js';
import { type BulkheadLike, isBulkhead } from './cockatiel-types.js';
import { type Instrumented, instrument } from './instrumentation.js';
import type { PolicyInstrumentationOptions } from './retry.js';
import {
  ATTR_BULKHEAD_QUEUE_LENGTH,
  ATTR_BULKHEAD_WAIT_MS,
  ATTR_POLICY_NAME,
  EVENT_BULKHEAD_DEQUEUED,
  EVENT_BULKHEAD_QUEUED,
  EVENT_BULKHEAD_REJECTED,
} from './span-attributes.js';

type Work = (...args: unknown[]) => unknown;

/**
 * Reports a cockatiel bulkhead: calls running (`bulkhead_active`) and waiting (`bulkhead_queued`), read at
 * collection time, and the calls it rejected (`bulkhead_rejections_total`). On a recording active span, a
 * call that has to wait adds `sightglass.bulkhead.queued` (queue length) and, once it gets its slot,
 * `sightglass.bulkhead.dequeued` (wait in milliseconds); a call refused adds `sightglass.bulkhead.rejected`.
 *
 * A queued call's function runs in the caller's OpenTelemetry context: cockatiel starts it from the call that
 * freed the slot, whose context (and span) it would otherwise inherit.
 *
 * @example
 * const limited = instrumentBulkhead(bulkhead(16, 64), { name: 'ollama' });
 */
export function instrumentBulkhead<P extends BulkheadLike>(
  policy: P,
  options: PolicyInstrumentationOptions,
): Instrumented<P> {
  return instrument(policy, options, 'bulkhead', isBulkhead, ({ name, attachments, metrics }) => {
    const labels = { policy_name: name };
    const capacity = bulkheadCapacity(policy) ?? policy.executionSlots;
    const queueCapacity = bulkheadQueueCapacity(policy) ?? policy.queueSlots;
    metrics.gauge(CATALOG.bulkheadActive, labels, () => capacity - policy.executionSlots);
    metrics.gauge(CATALOG.bulkheadQueued, labels, () => queueCapacity - policy.queueSlots);
    const rejections = metrics.counter(CATALOG.bulkheadRejections, labels);
    attachments.listen(policy.onReject, () => rejections.inc());

    // The functions of queued calls, as this wrapper made them: cockatiel passes them to execute() again
    // when their slot frees, and that second pass must neither record nor wrap anything.
    const requeued = new WeakSet<Work>();
    const queueOrReject = (fn: Work, signal: AbortSignal | undefined): Promise<unknown> => {
      const active: Context = context.active();
      const span: Span | undefined = recordingSpan();
      if (signal?.aborted === true) return original.call(policy, fn, signal);
      if (policy.queueSlots <= 0) {
        if (span !== undefined) addSpanEvent(span, EVENT_BULKHEAD_REJECTED, { [ATTR_POLICY_NAME]: name });
        return original.call(policy, fn, signal);
      }
      // Nothing to carry over and nothing to record: cockatiel's own path, nothing allocated.
      if (span === undefined && active === ROOT_CONTEXT) return original.call(policy, fn, signal);
      let queuedAt = 0;
      if (span !== undefined) {
        queuedAt = performance.now();
        addSpanEvent(span, EVENT_BULKHEAD_QUEUED, {
          [ATTR_POLICY_NAME]: name,
          [ATTR_BULKHEAD_QUEUE_LENGTH]: queueCapacity - policy.queueSlots + 1,
        });
      }
      const wrapped: Work = (...args) => {
        if (span !== undefined) {
          addSpanEvent(span, EVENT_BULKHEAD_DEQUEUED, {
            [ATTR_POLICY_NAME]: name,
            [ATTR_BULKHEAD_WAIT_MS]: performance.now() - queuedAt,
          });
        }
        return context.with(active, fn, undefined, ...args);
      };
      requeued.add(wrapped);
      return original.call(policy, wrapped, signal);
    };
    const original = policy.execute;
    // A free slot, the common case: cockatiel's own promise, untouched.
    const execute: P['execute'] = (fn, signal) =>
      policy.executionSlots > 0 || requeued.has(fn as Work)
        ? original.call(policy, fn, signal)
        : queueOrReject(fn as Work, signal);
    attachments.onDispose(patchProperty(policy, 'execute', execute));
  });
}
