import { CATALOG, ErrorCode, healthRegistry } from '@sightglass/core';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentPolicy } from './policy.js';
import { COCKATIEL_VERSIONS, DownstreamError } from './test-support/cockatiel-versions.js';
import { seriesValue } from './test-support/metrics.js';

const disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

describe.each(COCKATIEL_VERSIONS)('instrumentPolicy with %s', (_version, cockatiel) => {
  const {
    wrap,
    retry,
    circuitBreaker,
    timeout,
    bulkhead,
    handleType,
    handleAll,
    ConsecutiveBreaker,
    TimeoutStrategy,
    ConstantBackoff,
    fallback,
  } = cockatiel;
  const breaker = (threshold = 2) =>
    circuitBreaker(handleType(DownstreamError), {
      halfOpenAfter: 60_000,
      breaker: new ConsecutiveBreaker(threshold),
    });

  it('instruments every breaker, retry, timeout and bulkhead inside a wrap(...)', async () => {
    const composition = wrap(
      retry(handleType(DownstreamError), { maxAttempts: 1, backoff: new ConstantBackoff(0) }),
      breaker(2),
      timeout(5_000, TimeoutStrategy.Cooperative),
      bulkhead(4, 4),
    );
    const policy = instrumentPolicy(composition, { name: 'ollama' });
    disposers.push(() => policy.dispose());
    await expect(policy.execute(() => 'answer')).resolves.toBe('answer');
    await expect(policy.execute(() => Promise.reject(new DownstreamError('down')))).rejects.toThrow();
    // Two failed attempts opened the breaker; the next call is rejected inside the composition.
    await expect(policy.execute(() => 'x')).rejects.toBeInstanceOf(cockatiel.BrokenCircuitError);

    expect(seriesValue(CATALOG.circuitBreakerCalls, { breaker_name: 'ollama', outcome: 'success' })).toBe(1);
    expect(seriesValue(CATALOG.circuitBreakerFailures, { breaker_name: 'ollama' })).toBe(2);
    expect(
      seriesValue(CATALOG.circuitBreakerCalls, { breaker_name: 'ollama', outcome: 'rejected' }),
    ).toBeGreaterThanOrEqual(1);
    expect(seriesValue(CATALOG.circuitBreakerState, { breaker_name: 'ollama' })).toBe(1);
    expect(seriesValue(CATALOG.retryAttempts, { policy_name: 'ollama' })).toBe(1);
    expect(seriesValue(CATALOG.timeouts, { policy_name: 'ollama' })).toBe(0);
    expect(seriesValue(CATALOG.bulkheadActive, { policy_name: 'ollama' })).toBe(0);
    expect(
      healthRegistry()
        .list()
        .map((check) => check.name),
    ).toContain('ollama');
    expect(policy.wrapped).toBe(composition.wrapped);
  });

  it('numbers a second policy of the same kind, and flattens nested compositions', () => {
    const policy = instrumentPolicy(wrap(breaker(), wrap(breaker(), fallback(handleAll, 'default'))), {
      name: 'chain',
    });
    disposers.push(() => policy.dispose());
    expect(seriesValue(CATALOG.circuitBreakerState, { breaker_name: 'chain' })).toBe(0);
    expect(seriesValue(CATALOG.circuitBreakerState, { breaker_name: 'chain_2' })).toBe(0);
  });

  it('instruments a single policy of any kind', async () => {
    const policy = instrumentPolicy(breaker(), { name: 'single', critical: true });
    disposers.push(() => policy.dispose());
    expect(
      healthRegistry()
        .list()
        .find((check) => check.name === 'single')?.critical,
    ).toBe(true);
  });

  it('undoes everything on dispose', () => {
    const inner = breaker();
    const policy = instrumentPolicy(wrap(inner, bulkhead(1)), { name: 'undo' });
    policy.dispose();
    policy.dispose();
    expect(seriesValue(CATALOG.circuitBreakerState, { breaker_name: 'undo' })).toBeUndefined();
    expect(seriesValue(CATALOG.bulkheadActive, { policy_name: 'undo' })).toBeUndefined();
    expect(Object.hasOwn(inner, 'execute')).toBe(false);
  });

  it('leaves nothing attached when one policy inside cannot be instrumented', () => {
    const fresh = bulkhead(1);
    const frozen = Object.freeze(breaker());
    expect(() => instrumentPolicy(wrap(fresh, frozen), { name: 'half' })).toThrow(/frozen/);
    expect(seriesValue(CATALOG.bulkheadActive, { policy_name: 'half' })).toBeUndefined();
    const retryable = instrumentPolicy(fresh, { name: 'half' }); // the bulkhead was released
    retryable.dispose();
  });

  it('leaves a breaker shared with another composition as it is', () => {
    const shared = breaker();
    const first = instrumentPolicy(wrap(shared, bulkhead(1)), { name: 'first' });
    disposers.push(() => first.dispose());
    const second = instrumentPolicy(wrap(shared, bulkhead(1)), { name: 'second' });
    expect(seriesValue(CATALOG.circuitBreakerState, { breaker_name: 'second' })).toBeUndefined();
    expect(seriesValue(CATALOG.bulkheadActive, { policy_name: 'second' })).toBe(0);
    second.dispose();
    expect(seriesValue(CATALOG.circuitBreakerState, { breaker_name: 'first' })).toBe(0); // still reported
  });

  it('shortens a long name so its number fits, and passes health: false on', () => {
    const long = 'x'.repeat(64);
    const policy = instrumentPolicy(wrap(breaker(), breaker()), { name: long, health: false });
    disposers.push(() => policy.dispose());
    expect(seriesValue(CATALOG.circuitBreakerState, { breaker_name: `${'x'.repeat(62)}_2` })).toBe(0);
    expect(
      healthRegistry()
        .list()
        .some((check) => check.name.startsWith('xxx')),
    ).toBe(false);
  });

  it('refuses a frozen composition with a typed error', () => {
    expect(() => instrumentPolicy(Object.freeze(wrap(breaker(), bulkhead(1))), { name: 'ice' })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
  });

  it('rejects what is not a policy and bad names', () => {
    expect(() => instrumentPolicy({} as never, { name: 'x' })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
    expect(() => instrumentPolicy(breaker(), { name: '  ' })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_NAME }),
    );
  });
});
