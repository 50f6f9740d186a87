export { instrumentBulkhead } from './bulkhead.js';
export {
  type CircuitBreakerInstrumentationOptions,
  type FailureSummary,
  instrumentCircuitBreaker,
  MAX_FAILURE_MESSAGE_LENGTH,
} from './circuit-breaker.js';
export {
  type CircuitStateName,
  CircuitStateValue,
  circuitStateGaugeValue,
  circuitStateName,
} from './circuit-state.js';
export type {
  BulkheadLike,
  CircuitBreakerLike,
  CockatielEvent,
  FailureEvent,
  FailureReason,
  MergedPolicyLike,
  PolicyLike,
  RetryLike,
  TimeoutLike,
} from './cockatiel-types.js';
export type { InstrumentationHandle, Instrumented } from './instrumentation.js';
export { instrumentPolicy, type PolicyCompositionOptions } from './policy.js';
export { isCircuitRejection } from './rejection.js';
export { instrumentRetry, type PolicyInstrumentationOptions } from './retry.js';
export { instrumentTimeout } from './timeout.js';
