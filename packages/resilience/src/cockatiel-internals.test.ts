/**
 * Canary of cockatiel-internals.ts, against both cockatiel majors the peer range admits. A failure here
 * means cockatiel moved an internal: the instrumentation then falls back (public events, current slots, no
 * timeout on the span event) and stays correct but slower or poorer. Read cockatiel-internals.ts and
 * docs/upstream-internals.md before changing anything else.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  breakerExecutor,
  bulkheadCapacity,
  bulkheadQueueCapacity,
  observeOutcomes,
  patchProperty,
  timeoutDuration,
} from './cockatiel-internals.js';
import type { PolicyLike } from './cockatiel-types.js';
import { COCKATIEL_VERSIONS, DownstreamError } from './test-support/cockatiel-versions.js';

const require = createRequire(import.meta.url);
const INSTALLED: Record<string, string> = {
  'cockatiel 3': `cockatiel ${(require('cockatiel/package.json') as { version: string }).version}`,
  'cockatiel 4': `cockatiel ${(require('cockatiel4/package.json') as { version: string }).version}`,
};

/** A counter cell stand-in: counts its increments. */
function cell(): { value: number; inc(): void } {
  return {
    value: 0,
    inc() {
      this.value++;
    },
  };
}

describe.each(COCKATIEL_VERSIONS)('cockatiel internals of %s (canary)', (label, cockatiel) => {
  const version = INSTALLED[label];
  const moved = (what: string): string =>
    `${version} moved ${what}: see packages/resilience/src/cockatiel-internals.ts and docs/upstream-internals.md`;
  const newBreaker = () =>
    cockatiel.circuitBreaker(cockatiel.handleType(DownstreamError), {
      halfOpenAfter: 1_000,
      breaker: new cockatiel.ConsecutiveBreaker(5),
    });

  it("finds the breaker's private executor, whose filters judge calls as the breaker's policy says", () => {
    const executor = breakerExecutor(newBreaker());
    expect(executor, moved('CircuitBreakerPolicy.executor (errorFilter/resultFilter)')).toBeDefined();
    expect(executor?.errorFilter(new DownstreamError('handled')), moved('ExecuteWrapper.errorFilter')).toBe(
      true,
    );
    expect(executor?.errorFilter(new Error('ignored')), moved('ExecuteWrapper.errorFilter')).toBe(false);
    expect(executor?.resultFilter('a value'), moved('ExecuteWrapper.resultFilter')).toBe(false);
  });

  it('judges every call through the executor field of the instance, once per call', async () => {
    const breaker = newBreaker();
    const counters = { success: cell(), failure: cell(), ignored: cell() };
    const restore = observeOutcomes(breaker, {
      success: counters.success as never,
      failure: [counters.failure as never],
      ignored: counters.ignored as never,
      onError: (error) => {
        throw error;
      },
    });
    expect(restore, moved('CircuitBreakerPolicy.executor')).toBeDefined();
    await breaker.execute(() => 'ok');
    await breaker.execute(() => Promise.reject(new DownstreamError('counted'))).catch(() => {});
    await breaker.execute(() => Promise.reject(new Error('ignored'))).catch(() => {});
    expect(
      [counters.success.value, counters.failure.value, counters.ignored.value],
      moved('how CircuitBreakerPolicy.execute consults this.executor'),
    ).toEqual([1, 1, 1]);
    restore?.();
    await breaker.execute(() => 'ok');
    expect(counters.success.value).toBe(1);
  });

  it("reads the bulkhead's private capacity and queueCapacity", () => {
    const policy = cockatiel.bulkhead(3, 5);
    expect(bulkheadCapacity(policy), moved('BulkheadPolicy.capacity')).toBe(3);
    expect(bulkheadQueueCapacity(policy), moved('BulkheadPolicy.queueCapacity')).toBe(5);
  });

  it("reads the timeout policy's private duration", () => {
    const policy = cockatiel.timeout(250, cockatiel.TimeoutStrategy.Cooperative);
    expect(timeoutDuration(policy), moved('TimeoutPolicy.duration')).toBe(250);
  });

  it('calls an execute replaced on the instance from wrap(...) and from a bulkhead’s queue', async () => {
    const limited = cockatiel.bulkhead(1, 1);
    const seen: string[] = [];
    const original = limited.execute;
    const replaced = ((fn: () => unknown, signal?: AbortSignal) => {
      seen.push('execute');
      return original.call(limited, fn, signal);
    }) as typeof limited.execute;
    const restore = patchProperty(limited, 'execute', replaced);
    const composed = cockatiel.wrap(cockatiel.noop, limited);
    let release: () => void = () => {};
    const first = composed.execute(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    const second = composed.execute(() => 'queued');
    release();
    await Promise.all([first, second]);
    // Two calls through wrap(...), and the queued one again when its slot freed.
    expect(seen, moved('how wrap() and BulkheadPolicy call policy.execute')).toEqual([
      'execute',
      'execute',
      'execute',
    ]);
    restore();
    expect(Object.hasOwn(limited, 'execute')).toBe(false);
  });

  it('finds none of them on an object without them (the fallbacks run)', () => {
    const foreign = {} as PolicyLike;
    expect(breakerExecutor(foreign)).toBeUndefined();
    expect(bulkheadCapacity(foreign as never)).toBeUndefined();
    expect(bulkheadQueueCapacity(foreign as never)).toBeUndefined();
    expect(timeoutDuration(foreign as never)).toBeUndefined();
  });
});
