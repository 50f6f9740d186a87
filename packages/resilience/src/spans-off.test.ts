/** Without a tracer provider or context manager: every decision path runs, records nothing, throws nothing. */
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrumentBulkhead } from './bulkhead.js';
import { instrumentCircuitBreaker } from './circuit-breaker.js';
import { instrumentRetry } from './retry.js';
import { COCKATIEL_VERSIONS, DownstreamError } from './test-support/cockatiel-versions.js';
import { instrumentTimeout } from './timeout.js';

const disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
  vi.useRealTimers();
});
function keep<T extends { dispose(): void }>(instrumented: T): T {
  disposers.push(() => instrumented.dispose());
  return instrumented;
}

describe.each(COCKATIEL_VERSIONS)('no tracer provider, %s', (_version, cockatiel) => {
  it('runs breaker, retry, timeout and bulkhead decisions unchanged', async () => {
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(context.active()).toBe(ROOT_CONTEXT);
    const breaker = keep(
      instrumentCircuitBreaker(
        cockatiel.circuitBreaker(cockatiel.handleAll, {
          halfOpenAfter: 1000,
          breaker: new cockatiel.ConsecutiveBreaker(1),
        }),
        { name: 'off-breaker', health: false },
      ),
    );
    await expect(breaker.execute(() => Promise.reject(new DownstreamError('x')))).rejects.toThrow('x');
    await expect(breaker.execute(() => 1)).rejects.toBeInstanceOf(cockatiel.BrokenCircuitError);

    const retrying = keep(
      instrumentRetry(cockatiel.retry(cockatiel.handleAll, { maxAttempts: 1 }), { name: 'off-retry' }),
    );
    await expect(retrying.execute(() => Promise.reject(new DownstreamError('y')))).rejects.toThrow('y');

    vi.useFakeTimers();
    const limited = keep(
      instrumentTimeout(cockatiel.timeout(100, cockatiel.TimeoutStrategy.Aggressive), {
        name: 'off-timeout',
      }),
    );
    const cut = limited.execute(() => new Promise(() => {})).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    expect(await cut).toBeInstanceOf(cockatiel.TaskCancelledError);

    const bounded = keep(instrumentBulkhead(cockatiel.bulkhead(1, 1), { name: 'off-bulkhead' }));
    let release!: () => void;
    const holding = bounded.execute(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    const queued = bounded.execute(() => 'queued');
    await expect(bounded.execute(() => 'no room')).rejects.toBeInstanceOf(cockatiel.BulkheadRejectedError);
    release();
    await holding;
    await expect(queued).resolves.toBe('queued');
  });
});
