import { ErrorCode, SightglassError, validateName } from '@sightglass/core';
import { instrumentBulkhead } from './bulkhead.js';
import { instrumentCircuitBreaker } from './circuit-breaker.js';
import {
  isBulkhead,
  isCircuitBreaker,
  isMerged,
  isRetry,
  isTimeout,
  type PolicyLike,
} from './cockatiel-types.js';
import { type InstrumentationHandle, type Instrumented, withHandle } from './instrumentation.js';
import { instrumentRetry } from './retry.js';
import { instrumentTimeout } from './timeout.js';

/** Options of {@link instrumentPolicy}. */
export interface PolicyCompositionOptions {
  /**
   * The name every policy inside reports under (`breaker_name`, `policy_name`). A second policy of the same
   * kind gets `_2`, a third `_3`, and so on, in the order `wrap(...)` runs them (outermost first).
   */
  name: string;
  /** Passed to every circuit breaker inside: see `instrumentCircuitBreaker`. */
  critical?: boolean;
}

/** The policies a composition runs, outermost first, with nested `wrap(...)`s flattened. */
function leaves(policy: PolicyLike): PolicyLike[] {
  return isMerged(policy) ? policy.wrapped.flatMap(leaves) : [policy];
}

function instrumentLeaf(
  policy: PolicyLike,
  name: string,
  critical: boolean | undefined,
): InstrumentationHandle | undefined {
  if (isCircuitBreaker(policy))
    return instrumentCircuitBreaker(policy, { name, critical: critical === true });
  if (isRetry(policy)) return instrumentRetry(policy, { name });
  if (isTimeout(policy)) return instrumentTimeout(policy, { name });
  if (isBulkhead(policy)) return instrumentBulkhead(policy, { name });
  return undefined; // fallback and noop policies report nothing
}

function kindOf(policy: PolicyLike): string {
  if (isCircuitBreaker(policy)) return 'breaker';
  if (isRetry(policy)) return 'retry';
  if (isTimeout(policy)) return 'timeout';
  return isBulkhead(policy) ? 'bulkhead' : 'other';
}

/**
 * Instruments a cockatiel policy of any kind, or every breaker, retry, timeout and bulkhead inside a
 * `wrap(...)` composition. Returns the policy with `dispose()` added, which undoes all of it.
 *
 * @example
 * const resilient = instrumentPolicy(wrap(retryPolicy, breaker, timeoutPolicy), { name: 'ollama' });
 * await resilient.execute(({ signal }) => callOllama(signal));
 */
export function instrumentPolicy<P extends PolicyLike>(
  policy: P,
  options: PolicyCompositionOptions,
): Instrumented<P> {
  const name = validateName(options?.name, 'Policy');
  if (policy === null || typeof policy !== 'object' || typeof policy.execute !== 'function') {
    throw new SightglassError(
      ErrorCode.INVALID_ARGUMENT,
      `instrumentPolicy "${name}": not a cockatiel policy`,
    );
  }
  const handles: InstrumentationHandle[] = [];
  const seen = new Map<string, number>();
  const dispose = (): void => {
    for (const handle of handles.splice(0).reverse()) handle.dispose();
  };
  try {
    for (const leaf of leaves(policy)) {
      const kind = kindOf(leaf);
      const count = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, count);
      const handle = instrumentLeaf(leaf, count === 1 ? name : `${name}_${count}`, options.critical);
      // Keep this policy's own dispose: for a single policy, the handle added below replaces the property.
      if (handle !== undefined)
        handles.push({ instrumentationName: handle.instrumentationName, dispose: handle.dispose });
    }
  } catch (error) {
    dispose();
    throw error;
  }
  return withHandle(policy, { instrumentationName: name, dispose });
}
