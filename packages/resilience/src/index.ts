export { instrumentBulkhead } from './bulkhead.js';
export {
  type CircuitBreakerInstrumentationOptions,
  type FailureSummary,
  instrumentCircuitBreaker,
} from './circuit-breaker.js';
export { type CircuitStateName, CircuitStateValue, circuitStateName } from './circuit-state.js';
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
export {
  type ExecuteWithSignalOptions,
  type ExecutingPolicy,
  executeWithSignal,
} from './execute-with-signal.js';
export type { InstrumentationHandle, Instrumented } from './instrumentation.js';
export { instrumentPolicy, type PolicyCompositionOptions } from './policy.js';
export { isCircuitRejection } from './rejection.js';
export { instrumentRetry, type PolicyInstrumentationOptions } from './retry.js';
export {
  ATTR_BREAKER_NAME,
  ATTR_BREAKER_PREVIOUS_STATE,
  ATTR_BREAKER_STATE,
  ATTR_BULKHEAD_QUEUE_LENGTH,
  ATTR_BULKHEAD_WAIT_MS,
  ATTR_ERROR_TYPE,
  ATTR_POLICY_NAME,
  ATTR_RETRY_ATTEMPT,
  ATTR_RETRY_DELAY_MS,
  ATTR_TIMEOUT_MS,
  EVENT_BREAKER_REJECTED,
  EVENT_BREAKER_STATE_CHANGE,
  EVENT_BULKHEAD_DEQUEUED,
  EVENT_BULKHEAD_QUEUED,
  EVENT_BULKHEAD_REJECTED,
  EVENT_RETRY_GAVE_UP,
  EVENT_RETRY_SCHEDULED,
  EVENT_TIMEOUT,
} from './span-attributes.js';
export { instrumentTimeout } from './timeout.js';
