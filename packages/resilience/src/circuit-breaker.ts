import {
  CATALOG,
  type CounterCell,
  HealthComponent,
  type HealthStatus,
  healthRegistry,
} from '@sightglass/core';
import { addSpanEvent, recordingSpan, reportInstrumentationError } from '@sightglass/core/internal';
import {
  type CircuitStateName,
  CircuitStateValue,
  circuitStateGaugeValue,
  circuitStateName,
} from './circuit-state.js';
import { observeOutcomes, patchProperty } from './cockatiel-internals.js';
import { type CircuitBreakerLike, type FailureReason, isCircuitBreaker } from './cockatiel-types.js';
import { type Instrumented, instrument } from './instrumentation.js';
import { isCircuitRejection } from './rejection.js';
import {
  ATTR_BREAKER_NAME,
  ATTR_BREAKER_PREVIOUS_STATE,
  ATTR_BREAKER_STATE,
  EVENT_BREAKER_REJECTED,
  EVENT_BREAKER_STATE_CHANGE,
} from './span-attributes.js';

/** Options of {@link instrumentCircuitBreaker}. */
export interface CircuitBreakerInstrumentationOptions {
  /** The `breaker_name` label and the name in `/health`: 1–64 characters. */
  name: string;
  /**
   * Whether this breaker being open makes the whole process unhealthy (HTTP 503 from `/health`). Default
   * `false`: an open breaker degrades the process but never fails it, so one downstream outage does not take
   * every replica out of rotation.
   * @default false
   */
  critical?: boolean;
  /**
   * Register the breaker in the health registry.
   * @default true
   */
  health?: boolean;
}

/** The longest error message kept in `/health` details. */
export const MAX_FAILURE_MESSAGE_LENGTH = 200;

/** The last failure a breaker counted, as `/health` shows it (class and cut message, never a result value). */
export interface FailureSummary {
  error_class: string;
  message: string;
}

/** The last failure the breaker counted (cockatiel's `lastFailure`), as `/health` shows it. */
function lastFailureOf(breaker: CircuitBreakerLike): FailureSummary | null {
  const reason = (breaker as { lastFailure?: FailureReason }).lastFailure;
  return reason === undefined || reason === null ? null : summarize(reason);
}

function summarize(reason: FailureReason): FailureSummary {
  if ('error' in reason) {
    const error = reason.error as unknown;
    const errorClass = error instanceof Error ? error.name || error.constructor.name : typeof error;
    const message = error instanceof Error ? String(error.message) : String(error);
    return { error_class: String(errorClass), message: message.slice(0, MAX_FAILURE_MESSAGE_LENGTH) };
  }
  return { error_class: 'result', message: 'the result filter treated the returned value as a failure' };
}

/**
 * Reports a cockatiel circuit breaker's state, failures, calls by outcome and state transitions, and
 * registers it in the health registry. Returns the breaker with `dispose()` added; use it in its place.
 *
 * The state gauge reads `breaker.state` at each collection. cockatiel only moves from open to half-open when
 * a call arrives after `halfOpenAfter`, so the gauge keeps showing 1 (open) in that gap, until the next call.
 *
 * @example
 * const breaker = instrumentCircuitBreaker(circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }), { name: 'ollama' });
 * await breaker.execute(() => callOllama());
 * @throws SightglassError `ERR_SIGHTGLASS_INVALID_NAME` for a bad name, `ERR_SIGHTGLASS_INVALID_ARGUMENT` for
 *   something that is not a breaker or is already instrumented, `ERR_SIGHTGLASS_DUPLICATE_HEALTH_CHECK` when
 *   another breaker is registered under the same name.
 */
export function instrumentCircuitBreaker<P extends CircuitBreakerLike>(
  breaker: P,
  options: CircuitBreakerInstrumentationOptions,
): Instrumented<P> {
  return instrument(
    breaker,
    options,
    'circuit breaker',
    isCircuitBreaker,
    ({ name, attachments, metrics }) => {
      const labels = { breaker_name: name };
      const calls = (outcome: string): CounterCell =>
        metrics.counter(CATALOG.circuitBreakerCalls, { ...labels, outcome });
      const failures = metrics.counter(CATALOG.circuitBreakerFailures, labels);
      const succeeded = calls('success');
      const failed = calls('failure');
      const ignored = calls('ignored');
      const rejected = calls('rejected');
      metrics.gauge(CATALOG.circuitBreakerState, labels, () => circuitStateGaugeValue(breaker.state));

      let previous: CircuitStateName = circuitStateName(breaker.state);
      let openedAt: number | undefined = previous === 'closed' ? undefined : Date.now();
      const transitions = new Map<string, CounterCell>();

      if (options.health !== false) {
        const critical = options.critical === true;
        attachments.onDispose(
          healthRegistry().register({
            component: HealthComponent.circuitBreakers,
            name,
            critical,
            check: () => {
              const state = circuitStateName(breaker.state);
              const broken = state === 'open' || state === 'isolated';
              const status: HealthStatus =
                state === 'closed' ? 'healthy' : critical && broken ? 'unhealthy' : 'degraded';
              return {
                status,
                details: {
                  state,
                  failures: failures.value,
                  rejected: rejected.value,
                  opened_at: openedAt === undefined ? null : new Date(openedAt).toISOString(),
                  last_failure: lastFailureOf(breaker),
                },
              };
            },
          }),
        );
      }

      // Counting runs inside cockatiel's call path: nothing it throws may reach the caller.
      const count = (cell: CounterCell): void => {
        try {
          cell.inc();
        } catch (error) {
          reportInstrumentationError(`circuit breaker "${name}" metrics`, error);
        }
      };

      const restore = observeOutcomes(breaker, {
        success: succeeded,
        failure: [failed, failures],
        ignored,
        onError: (error) => reportInstrumentationError(`circuit breaker "${name}" metrics`, error),
      });
      if (restore !== undefined) {
        attachments.onDispose(restore); // the fast path: see cockatiel-internals.ts
      } else {
        // Another cockatiel with other internals: its public events, at their cost.
        attachments.listen(breaker.onSuccess, () => count(succeeded));
        attachments.listen(breaker.onFailure, (event) => {
          if (!event.handled) count(ignored);
          else {
            count(failed);
            count(failures);
          }
        });
      }
      attachments.listen(breaker.onStateChange, (state) => {
        const next = circuitStateName(state);
        const key = `${previous}>${next}`;
        let cell = transitions.get(key);
        if (cell === undefined) {
          cell = metrics.counter(CATALOG.circuitBreakerStateTransitions, {
            ...labels,
            from: previous,
            to: next,
          });
          transitions.set(key, cell);
        }
        cell.inc();
        if (state === CircuitStateValue.Open || state === CircuitStateValue.Isolated) openedAt ??= Date.now();
        else if (state === CircuitStateValue.Closed) openedAt = undefined;
        // cockatiel changes state inside the call that caused it (the failure that opened the breaker, the
        // probe that half-opened or closed it) or inside isolate()/dispose(): that caller's span is active.
        const span = recordingSpan();
        if (span !== undefined) {
          addSpanEvent(span, EVENT_BREAKER_STATE_CHANGE, {
            [ATTR_BREAKER_NAME]: name,
            [ATTR_BREAKER_STATE]: next,
            [ATTR_BREAKER_PREVIOUS_STATE]: previous,
          });
        }
        previous = next;
      });

      // cockatiel fires no event when an open breaker rejects a call: count it where the error is thrown.
      // Only a breaker that is not closed when the call arrives can reject it, so the common path returns
      // cockatiel's own promise untouched. A rejection counts only if the call's function never ran (else the
      // error came from another breaker inside it), and once per error object (a call queued behind a
      // half-open probe re-enters execute(), and both layers see the same error). The rejection goes on the
      // span active when the call arrived, looked up only on this path.
      const original = breaker.execute;
      const counted = new WeakSet<object>();
      const execute: P['execute'] = (fn, signal) => {
        if (breaker.state === CircuitStateValue.Closed) return original.call(breaker, fn, signal);
        const span = recordingSpan();
        let ran = false;
        const tracked = (...args: unknown[]) => {
          ran = true;
          return (fn as (...args: unknown[]) => unknown)(...args);
        };
        return original.call(breaker, tracked, signal).then(undefined, (error: unknown) => {
          if (!ran && isCircuitRejection(error) && !counted.has(error as object)) {
            counted.add(error as object);
            count(rejected);
            if (span !== undefined) {
              addSpanEvent(span, EVENT_BREAKER_REJECTED, {
                [ATTR_BREAKER_NAME]: name,
                [ATTR_BREAKER_STATE]: circuitStateName(breaker.state),
              });
            }
          }
          throw error;
        });
      };
      attachments.onDispose(patchProperty(breaker, 'execute', execute));
    },
  );
}
