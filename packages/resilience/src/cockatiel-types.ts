/**
 * The parts of cockatiel's policies this package uses, described structurally so that one build works with
 * cockatiel 3 and 4 alike (their classes are nominally different types).
 */

/** A cockatiel event: subscribe with a listener, get back something to dispose. */
export type CockatielEvent<T> = (listener: (value: T) => void) => { dispose(): void };

/** Why a call failed: an error, or a result the policy's filter treats as failure. */
export type FailureReason = { error: unknown } | { value: unknown };

/** cockatiel's `onFailure` payload. `handled` is false when the policy's filter ignored the error. */
export interface FailureEvent {
  duration: number;
  handled: boolean;
  reason: FailureReason;
}

/** What every cockatiel policy has. */
export interface PolicyLike {
  // The context type differs per policy (retry adds `attempt`, timeout passes a second `signal` argument); `any`
  // lets every cockatiel policy's generic execute() satisfy this one shape.
  // biome-ignore lint/suspicious/noExplicitAny: see above; the instrumented policy keeps its own precise type
  execute<T>(fn: (context: any) => PromiseLike<T> | T, signal?: AbortSignal): Promise<unknown>;
  readonly onSuccess: CockatielEvent<{ duration: number }>;
  readonly onFailure: CockatielEvent<FailureEvent>;
}

/** cockatiel's `CircuitBreakerPolicy`. `state` is its `CircuitState` (0 closed, 1 open, 2 half-open, 3 isolated). */
export interface CircuitBreakerLike extends PolicyLike {
  readonly state: number;
  readonly onBreak: CockatielEvent<unknown>;
  readonly onStateChange: CockatielEvent<number>;
  isolate(): { dispose(): void };
}

/** cockatiel's `RetryPolicy`. */
export interface RetryLike extends PolicyLike {
  readonly onRetry: CockatielEvent<unknown>;
  readonly onGiveUp: CockatielEvent<unknown>;
}

/** cockatiel's `TimeoutPolicy`. */
export interface TimeoutLike extends PolicyLike {
  readonly onTimeout: CockatielEvent<void>;
}

/** cockatiel's `BulkheadPolicy`. */
export interface BulkheadLike extends PolicyLike {
  readonly executionSlots: number;
  readonly queueSlots: number;
  readonly onReject: CockatielEvent<void>;
}

/** What `wrap(...)` returns: the policies it runs, outermost first. */
export interface MergedPolicyLike extends PolicyLike {
  readonly wrapped: readonly PolicyLike[];
}

export function isCircuitBreaker(policy: PolicyLike): policy is CircuitBreakerLike {
  return 'onStateChange' in policy && 'isolate' in policy;
}
export function isRetry(policy: PolicyLike): policy is RetryLike {
  return 'onRetry' in policy && 'onGiveUp' in policy;
}
export function isTimeout(policy: PolicyLike): policy is TimeoutLike {
  return 'onTimeout' in policy;
}
export function isBulkhead(policy: PolicyLike): policy is BulkheadLike {
  return 'onReject' in policy && 'executionSlots' in policy;
}
export function isMerged(policy: PolicyLike): policy is MergedPolicyLike {
  return Array.isArray((policy as { wrapped?: unknown }).wrapped);
}
