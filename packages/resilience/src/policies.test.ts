import { CATALOG, ErrorCode, healthRegistry } from '@sightglass/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrumentBulkhead } from './bulkhead.js';
import { instrumentRetry } from './retry.js';
import { COCKATIEL_VERSIONS, DownstreamError } from './test-support/cockatiel-versions.js';
import { seriesValue } from './test-support/metrics.js';
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

describe.each(COCKATIEL_VERSIONS)('retry, timeout and bulkhead with %s', (_version, cockatiel) => {
  const { retry, handleType, ConstantBackoff, timeout, TimeoutStrategy, bulkhead, BulkheadRejectedError } =
    cockatiel;

  describe('instrumentRetry', () => {
    it('counts retries scheduled and calls given up on', async () => {
      const policy = keep(
        instrumentRetry(
          retry(handleType(DownstreamError), { maxAttempts: 2, backoff: new ConstantBackoff(0) }),
          {
            name: 'ollama-retry',
          },
        ),
      );
      let attempts = 0;
      await expect(
        policy.execute(() => {
          attempts++;
          if (attempts < 2) throw new DownstreamError('flaky');
          return 'ok';
        }),
      ).resolves.toBe('ok');
      await expect(policy.execute(() => Promise.reject(new DownstreamError('down')))).rejects.toThrow('down');
      expect(seriesValue(CATALOG.retryAttempts, { policy_name: 'ollama-retry' })).toBe(3); // 1 + 2
      expect(seriesValue(CATALOG.retryExhausted, { policy_name: 'ollama-retry' })).toBe(1);
    });

    it('stops counting once disposed', async () => {
      const policy = instrumentRetry(retry(handleType(DownstreamError), { maxAttempts: 1 }), {
        name: 'gone',
      });
      policy.dispose();
      await policy.execute(() => Promise.reject(new DownstreamError('x'))).catch(() => {});
      expect(seriesValue(CATALOG.retryAttempts, { policy_name: 'gone' })).toBeUndefined();
    });
  });

  describe('instrumentTimeout', () => {
    it('counts the calls it cut off, and only those', async () => {
      vi.useFakeTimers();
      const policy = keep(
        instrumentTimeout(timeout(1_000, TimeoutStrategy.Aggressive), { name: 'slow-calls' }),
      );
      await expect(policy.execute(() => 'fast')).resolves.toBe('fast');
      const slow = policy.execute(() => new Promise(() => {}));
      const rejection = expect(slow).rejects.toBeInstanceOf(cockatiel.TaskCancelledError);
      await vi.advanceTimersByTimeAsync(1_001);
      await rejection;
      expect(seriesValue(CATALOG.timeouts, { policy_name: 'slow-calls' })).toBe(1);
    });
  });

  describe('instrumentBulkhead', () => {
    it('reports calls running and queued, and counts rejections', async () => {
      const policy = keep(instrumentBulkhead(bulkhead(2, 1), { name: 'pool' }));
      expect(seriesValue(CATALOG.bulkheadActive, { policy_name: 'pool' })).toBe(0);
      const releases: Array<() => void> = [];
      const hold = () => new Promise<void>((resolve) => releases.push(resolve));
      const running = [policy.execute(hold), policy.execute(hold), policy.execute(hold)];
      await new Promise((resolve) => setImmediate(resolve));
      expect(seriesValue(CATALOG.bulkheadActive, { policy_name: 'pool' })).toBe(2);
      expect(seriesValue(CATALOG.bulkheadQueued, { policy_name: 'pool' })).toBe(1);
      await expect(policy.execute(hold)).rejects.toBeInstanceOf(BulkheadRejectedError);
      expect(seriesValue(CATALOG.bulkheadRejections, { policy_name: 'pool' })).toBe(1);
      while (releases.length > 0 || seriesValue(CATALOG.bulkheadActive, { policy_name: 'pool' })! > 0) {
        releases.shift()?.();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(running);
      expect(seriesValue(CATALOG.bulkheadQueued, { policy_name: 'pool' })).toBe(0);
    });
  });

  it('rejects a policy of the wrong kind and a bad name with typed errors', () => {
    expect(() => instrumentRetry(bulkhead(1) as never, { name: 'x' })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
    expect(() => instrumentTimeout(timeout(1, TimeoutStrategy.Cooperative), { name: '' })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_NAME }),
    );
    expect(() => instrumentBulkhead(bulkhead(1), undefined as never)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_NAME }),
    );
  });

  it('registers nothing in the health registry', async () => {
    keep(instrumentBulkhead(bulkhead(1), { name: 'no-health' }));
    expect(
      healthRegistry()
        .list()
        .some((check) => check.name === 'no-health'),
    ).toBe(false);
  });
});
