/**
 * The span events and attributes the policies record on the caller's active span, one place for each
 * name (the README and docs/tracing.md list them). Recorded only when that span is recording.
 */

/** A circuit breaker refused a call without running it (open, isolated). */
export const EVENT_BREAKER_REJECTED = 'sightglass.breaker.rejected';
/** A circuit breaker changed state during this call (this call opened, probed or closed it). */
export const EVENT_BREAKER_STATE_CHANGE = 'sightglass.breaker.state_change';
/** A retry policy scheduled another attempt after a failure. */
export const EVENT_RETRY_SCHEDULED = 'sightglass.retry.scheduled';
/** A retry policy gave up: the last attempt's failure is the call's result. */
export const EVENT_RETRY_GAVE_UP = 'sightglass.retry.gave_up';
/** A timeout policy cut the call off. */
export const EVENT_TIMEOUT = 'sightglass.timeout';
/** A bulkhead had no free slot: the call waits in its queue. */
export const EVENT_BULKHEAD_QUEUED = 'sightglass.bulkhead.queued';
/** A queued call got a slot and starts running. */
export const EVENT_BULKHEAD_DEQUEUED = 'sightglass.bulkhead.dequeued';
/** A bulkhead refused a call: no free slot and a full queue. */
export const EVENT_BULKHEAD_REJECTED = 'sightglass.bulkhead.rejected';

/** The breaker's name, as in the `breaker_name` label. */
export const ATTR_BREAKER_NAME = 'sightglass.breaker.name';
/** A breaker state: `closed`, `open`, `half_open`, `isolated` (the state after a change). */
export const ATTR_BREAKER_STATE = 'sightglass.breaker.state';
/** The state a breaker left. */
export const ATTR_BREAKER_PREVIOUS_STATE = 'sightglass.breaker.previous_state';
/** A retry, timeout or bulkhead policy's name, as in the `policy_name` label. */
export const ATTR_POLICY_NAME = 'sightglass.policy.name';
/** The number of the attempt: 1 for the first retry (the second call of the function). */
export const ATTR_RETRY_ATTEMPT = 'sightglass.retry.attempt';
/** How long the retry waits before its attempt, in milliseconds. */
export const ATTR_RETRY_DELAY_MS = 'sightglass.retry.delay_ms';
/** The timeout that passed, in milliseconds. */
export const ATTR_TIMEOUT_MS = 'sightglass.timeout.ms';
/** Calls waiting in the bulkhead's queue, this one included. */
export const ATTR_BULKHEAD_QUEUE_LENGTH = 'sightglass.bulkhead.queue_length';
/** How long a queued call waited for its slot, in milliseconds. */
export const ATTR_BULKHEAD_WAIT_MS = 'sightglass.bulkhead.wait_ms';

export { ATTR_ERROR_TYPE } from '@sightglass/core/internal';
