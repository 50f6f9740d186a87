import { CATALOG } from '@sightglass/core';
import { type BulkheadLike, isBulkhead } from './cockatiel-types.js';
import { type Instrumented, instrument } from './instrumentation.js';
import type { PolicyInstrumentationOptions } from './retry.js';

/** A bulkhead's configured size; cockatiel keeps it in a field its types mark private. */
function configured(bulkhead: BulkheadLike, field: 'capacity' | 'queueCapacity', fallback: number): number {
  const value = (bulkhead as unknown as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * Reports a cockatiel bulkhead: calls running (`bulkhead_active`) and waiting (`bulkhead_queued`), read at
 * collection time, and the calls it rejected (`bulkhead_rejections_total`).
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
    const capacity = configured(policy, 'capacity', policy.executionSlots);
    const queueCapacity = configured(policy, 'queueCapacity', policy.queueSlots);
    metrics.gauge(CATALOG.bulkheadActive, labels, () => capacity - policy.executionSlots);
    metrics.gauge(CATALOG.bulkheadQueued, labels, () => queueCapacity - policy.queueSlots);
    const rejections = metrics.counter(CATALOG.bulkheadRejections, labels);
    attachments.listen(policy.onReject, () => rejections.inc());
  });
}
