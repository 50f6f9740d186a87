import { ErrorCode, SightglassError } from '@sightglass/core';
import { numberedName, validateName } from '@sightglass/core/internal';
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
import {
  type InstrumentationHandle,
  type Instrumented,
  instrumentedName,
  withHandle,
} from './instrumentation.js';
import { instrumentRetry } from './retry.js';
import { instrumentTimeout } from './timeout.js';

/** Options of {@link instrumentPolicy}. */
export interface PolicyCompositionOptions {
  /**
   * The name every policy inside reports under (`breaker_name`, `policy_name`). A second policy of the same
   * kind gets `_2`, a third `_3`, and so on, in the order `wrap(...)` runs them (outermost first); the name
   * is shortened if needed so the suffix fits in 64 characters.
   */
  name: string;
  /**
   * Passed to every circuit breaker inside: see `instrumentCircuitBreaker`.
   * @default false
   */
  critical?: boolean;
  /**
   * Register the circuit breakers inside in the health registry.
   * @default true
   */
  health?: boolean;
}

/** The policies a composition runs, outermost first, with nested `wrap(...)`s flattened. */
function leaves(policy: PolicyLike): PolicyLike[] {
  return isMerged(policy) ? policy.wrapped.flatMap(leaves) : [policy];
}

function kindOf(policy: PolicyLike): 'breaker' | 'retry' | 'timeout' | 'bulkhead' | undefined {
  if (isCircuitBreaker(policy)) return 'breaker';
  if (isRetry(policy)) return 'retry';
  if (isTimeout(policy)) return 'timeout';
  return isBulkhead(policy) ? 'bulkhead' : undefined; // fallback and noop policies report nothing
}

function instrumentLeaf(
  policy: PolicyLike,
  kind: NonNullable<ReturnType<typeof kindOf>>,
  name: string,
  options: PolicyCompositionOptions,
): InstrumentationHandle {
  switch (kind) {
    case 'breaker':
      return instrumentCircuitBreaker(policy as never, {
        name,
        critical: options.critical === true,
        health: options.health !== false,
      });
    case 'retry':
      return instrumentRetry(policy as never, { name });
    case 'timeout':
      return instrumentTimeout(policy as never, { name });
    default:
      return instrumentBulkhead(policy as never, { name });
  }
}

/**
 * Instruments a cockatiel policy of any kind, or every breaker, retry, timeout and bulkhead inside a
 * `wrap(...)` composition. Returns the policy with `dispose()` added, which undoes all of it.
 *
 * A policy inside that is already instrumented (a breaker shared by two compositions) is left as it is: it
 * keeps reporting under its own name, and this composition's `dispose()` does not touch it.
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
  if (!Object.isExtensible(policy)) {
    throw new SightglassError(
      ErrorCode.INVALID_ARGUMENT,
      `instrumentPolicy "${name}": the policy is frozen or sealed, so it cannot be instrumented`,
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
      if (kind === undefined || (leaf !== policy && instrumentedName(leaf) !== undefined)) continue;
      const count = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, count);
      const handle = instrumentLeaf(leaf, kind, numberedName(name, count), options);
      // Keep this policy's own dispose: for a single policy, the handle added below replaces the property.
      handles.push({ instrumentationName: handle.instrumentationName, dispose: handle.dispose });
    }
    return withHandle(policy, { instrumentationName: name, dispose });
  } catch (error) {
    dispose();
    throw error;
  }
}
