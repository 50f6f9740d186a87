import { CATALOG, CounterCell, ErrorCode, healthRegistry } from '@sightglass/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrumentCircuitBreaker, MAX_FAILURE_MESSAGE_LENGTH } from './circuit-breaker.js';
import { breakerExecutor } from './cockatiel-internals.js';
import { COCKATIEL_VERSIONS, DownstreamError } from './test-support/cockatiel-versions.js';
import { seriesValue } from './test-support/metrics.js';

const disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe.each(COCKATIEL_VERSIONS)('instrumentCircuitBreaker with %s', (_version, cockatiel) => {
  const { circuitBreaker, ConsecutiveBreaker, handleType, BrokenCircuitError, IsolatedCircuitError } =
    cockatiel;
  const newBreaker = (threshold = 3, halfOpenAfter = 10_000) =>
    circuitBreaker(handleType(DownstreamError), {
      halfOpenAfter,
      breaker: new ConsecutiveBreaker(threshold),
    });
  const instrumented = (name: string, options: { critical?: boolean } = {}, breaker = newBreaker()) => {
    const result = instrumentCircuitBreaker(breaker, { name, ...options });
    disposers.push(() => result.dispose());
    return result;
  };
  const calls = (name: string, outcome: string) =>
    seriesValue(CATALOG.circuitBreakerCalls, { breaker_name: name, outcome });
  const state = (name: string) => seriesValue(CATALOG.circuitBreakerState, { breaker_name: name });
  const transitions = (name: string, from: string, to: string) =>
    seriesValue(CATALOG.circuitBreakerStateTransitions, { breaker_name: name, from, to });
  const fail = () => Promise.reject(new DownstreamError('ollama is down'));
  const ignoredError = () => Promise.reject(new TypeError('bad input'));

  it('behaves exactly like the breaker: same results, same errors', async () => {
    const breaker = instrumented('same');
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    await expect(breaker.execute(fail)).rejects.toThrow(DownstreamError);
    await expect(breaker.execute(ignoredError)).rejects.toThrow(TypeError);
    expect(breaker.state).toBe(cockatiel.CircuitState.Closed);
    expect(breaker.instrumentationName).toBe('same');
  });

  it('counts calls by outcome and failures the breaker counted, not errors its filter ignored', async () => {
    const breaker = instrumented('outcomes');
    await breaker.execute(() => 'ok');
    await breaker.execute(() => 'ok');
    await breaker.execute(fail).catch(() => {});
    await breaker.execute(ignoredError).catch(() => {});
    expect(calls('outcomes', 'success')).toBe(2);
    expect(calls('outcomes', 'failure')).toBe(1);
    expect(calls('outcomes', 'ignored')).toBe(1);
    expect(calls('outcomes', 'rejected')).toBe(0);
    expect(seriesValue(CATALOG.circuitBreakerFailures, { breaker_name: 'outcomes' })).toBe(1);
  });

  it('counts calls rejected by an open breaker, where BrokenCircuitError is thrown', async () => {
    const breaker = instrumented('rejects', {}, newBreaker(1));
    await breaker.execute(fail).catch(() => {});
    const rejection = await breaker.execute(() => 'never runs').catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(BrokenCircuitError);
    expect(calls('rejects', 'rejected')).toBe(1);
    expect(state('rejects')).toBe(1);
  });

  it('counts exactly under 1,000 concurrent calls', async () => {
    const breaker = instrumented('concurrent', {}, newBreaker(10_000));
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) =>
        breaker.execute(async () => {
          await new Promise((resolve) => setImmediate(resolve));
          if (i % 4 === 0) throw new DownstreamError(`call ${i}`);
          if (i % 10 === 1) throw new TypeError('ignored');
          return i;
        }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(650);
    expect(calls('concurrent', 'success')).toBe(650);
    expect(calls('concurrent', 'failure')).toBe(250);
    expect(calls('concurrent', 'ignored')).toBe(100);
    expect(seriesValue(CATALOG.circuitBreakerFailures, { breaker_name: 'concurrent' })).toBe(250);
  });

  it('follows open → half-open → closed, with one transition counted each', async () => {
    vi.useFakeTimers();
    const breaker = instrumented('recovers', {}, newBreaker(2, 5_000));
    expect(state('recovers')).toBe(0);
    await breaker.execute(fail).catch(() => {});
    await breaker.execute(fail).catch(() => {});
    expect(state('recovers')).toBe(1);
    vi.advanceTimersByTime(5_001);
    expect(state('recovers')).toBe(1); // cockatiel turns half-open only when the next call arrives
    let release!: () => void;
    const probe = breaker.execute(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('back');
        }),
    );
    expect(state('recovers')).toBe(2);
    release();
    await expect(probe).resolves.toBe('back');
    expect(state('recovers')).toBe(0);
    expect(transitions('recovers', 'closed', 'open')).toBe(1);
    expect(transitions('recovers', 'open', 'half_open')).toBe(1);
    expect(transitions('recovers', 'half_open', 'closed')).toBe(1);
    expect(transitions('recovers', 'half_open', 'open')).toBeUndefined();
  });

  it('follows open → half-open → open when the probe fails', async () => {
    vi.useFakeTimers();
    const breaker = instrumented('relapses', {}, newBreaker(1, 1_000));
    await breaker.execute(fail).catch(() => {});
    vi.advanceTimersByTime(1_001);
    await breaker.execute(fail).catch(() => {});
    expect(state('relapses')).toBe(1);
    expect(transitions('relapses', 'closed', 'open')).toBe(1);
    expect(transitions('relapses', 'open', 'half_open')).toBe(1);
    expect(transitions('relapses', 'half_open', 'open')).toBe(1);
    expect(seriesValue(CATALOG.circuitBreakerFailures, { breaker_name: 'relapses' })).toBe(2);
  });

  it('reports an isolated breaker as 1 and counts its rejections', async () => {
    const breaker = instrumented('isolated');
    const isolation = breaker.isolate();
    expect(state('isolated')).toBe(1);
    const rejection = await breaker.execute(() => 1).catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(IsolatedCircuitError);
    expect(calls('isolated', 'rejected')).toBe(1);
    expect(transitions('isolated', 'closed', 'isolated')).toBe(1);
    isolation.dispose();
    expect(state('isolated')).toBe(0);
  });

  describe('health', () => {
    const check = async (name: string) =>
      (await healthRegistry().evaluate()).components.circuit_breakers?.[name];

    it('is healthy while closed', async () => {
      instrumented('h-closed');
      expect(await check('h-closed')).toMatchObject({
        status: 'healthy',
        details: { state: 'closed', opened_at: null },
      });
    });

    it('degrades while open, with what happened, but never fails the process', async () => {
      const breaker = instrumented('h-open', {}, newBreaker(1));
      await breaker.execute(() => Promise.reject(new DownstreamError('x'.repeat(500)))).catch(() => {});
      await breaker.execute(() => 1).catch(() => {});
      const report = await healthRegistry().evaluate();
      const details = report.components.circuit_breakers?.['h-open'];
      expect(details).toMatchObject({
        status: 'degraded',
        critical: false,
        details: {
          state: 'open',
          failures: 1,
          rejected: 1,
          last_failure: { error_class: 'DownstreamError' },
        },
      });
      const lastFailure = (details?.details as { last_failure: { message: string } }).last_failure;
      expect(lastFailure.message).toHaveLength(MAX_FAILURE_MESSAGE_LENGTH);
      expect(Date.parse((details?.details as { opened_at: string }).opened_at)).not.toBeNaN();
      expect(report.status).toBe('degraded');
    });

    it('makes the process unhealthy when the breaker is marked critical', async () => {
      const breaker = instrumented('h-critical', { critical: true }, newBreaker(1));
      await breaker.execute(fail).catch(() => {});
      const report = await healthRegistry().evaluate();
      expect(report.components.circuit_breakers?.['h-critical']?.status).toBe('unhealthy');
      expect(report.status).toBe('unhealthy');
    });

    it('describes a failure by a filtered result without showing the value', async () => {
      const breaker = instrumentCircuitBreaker(
        circuitBreaker(
          cockatiel.handleWhenResult((value) => value === 'secret prompt'),
          {
            halfOpenAfter: 1000,
            breaker: new ConsecutiveBreaker(5),
          },
        ),
        { name: 'h-result' },
      );
      disposers.push(() => breaker.dispose());
      await breaker.execute(() => 'secret prompt');
      const details = (await check('h-result'))?.details as { last_failure: { message: string } };
      expect(details.last_failure).toEqual({
        error_class: 'result',
        message: 'the result filter treated the returned value as a failure',
      });
    });

    it('can stay out of the health registry', async () => {
      const breaker = instrumentCircuitBreaker(newBreaker(), { name: 'h-none', health: false });
      disposers.push(() => breaker.dispose());
      expect(await check('h-none')).toBeUndefined();
    });
  });

  it('never lets a failing metric change the result of the call', async () => {
    const breaker = instrumented('robust', {}, newBreaker(1));
    vi.spyOn(CounterCell.prototype, 'inc').mockImplementation(() => {
      throw new Error('metrics broke');
    });
    await expect(breaker.execute(() => 'still fine')).resolves.toBe('still fine');
    await expect(breaker.execute(fail)).rejects.toThrow(DownstreamError);
    await expect(breaker.execute(() => 1)).rejects.toBeInstanceOf(BrokenCircuitError);
  });

  it('dispose() detaches every listener, restores execute and stops reporting; twice is harmless', async () => {
    const raw = newBreaker(1);
    const executor = breakerExecutor(raw);
    const breaker = instrumentCircuitBreaker(raw, { name: 'disposed' });
    await breaker.execute(() => 1);
    expect(Object.hasOwn(raw, 'execute')).toBe(true);
    expect(breakerExecutor(raw)).not.toBe(executor);
    breaker.dispose();
    breaker.dispose();
    expect(Object.hasOwn(raw, 'execute')).toBe(false);
    expect(breakerExecutor(raw)).toBe(executor);
    expect(calls('disposed', 'success')).toBeUndefined();
    expect(state('disposed')).toBeUndefined();
    expect((await healthRegistry().evaluate()).components.circuit_breakers?.disposed).toBeUndefined();
    await raw.execute(fail).catch(() => {});
    expect(seriesValue(CATALOG.circuitBreakerFailures, { breaker_name: 'disposed' })).toBeUndefined();
    const again = instrumentCircuitBreaker(raw, { name: 'disposed' }); // can be instrumented anew
    again.dispose();
  });

  it('leaves a patch applied after its own alone on dispose', () => {
    const raw = newBreaker();
    const breaker = instrumentCircuitBreaker(raw, { name: 'patched-later' });
    const userPatch = () => Promise.resolve('user');
    Object.assign(raw, { execute: userPatch });
    breaker.dispose();
    expect(raw.execute).toBe(userPatch);
  });

  it('keeps the counts of two breakers that share one strategy object apart', async () => {
    const shared = new ConsecutiveBreaker(100);
    const policy = (name: string) =>
      instrumented(
        name,
        {},
        circuitBreaker(handleType(DownstreamError), { halfOpenAfter: 1000, breaker: shared }),
      );
    const first = policy('shared-1');
    const second = policy('shared-2');
    await first.execute(() => 1);
    await second.execute(() => 1);
    await second.execute(() => 2);
    await second.execute(fail).catch(() => {});
    await second.execute(ignoredError).catch(() => {});
    expect([calls('shared-1', 'success'), calls('shared-2', 'success')]).toEqual([1, 2]);
    expect([calls('shared-2', 'failure'), calls('shared-2', 'ignored')]).toEqual([1, 1]);
    expect(seriesValue(CATALOG.circuitBreakerFailures, { breaker_name: 'shared-1' })).toBe(0);
  });

  describe('around half-open', () => {
    /** Opens a breaker, lets halfOpenAfter pass, and starts a probe that waits for `settle`. */
    async function probing(name: string) {
      vi.useFakeTimers();
      const breaker = instrumented(name, {}, newBreaker(1, 1_000));
      await breaker.execute(fail).catch(() => {});
      vi.advanceTimersByTime(1_001);
      let settle!: (outcome: 'ok' | 'fail' | 'ignored') => void;
      const probe = breaker.execute(
        () =>
          new Promise((resolve, reject) => {
            settle = (outcome) =>
              outcome === 'ok'
                ? resolve('probe')
                : reject(outcome === 'fail' ? new DownstreamError('x') : new TypeError('y'));
          }),
      );
      return { breaker, probe, settle: (outcome: 'ok' | 'fail' | 'ignored') => settle(outcome) };
    }

    it('counts each call queued behind a failing probe as rejected exactly once', async () => {
      const { breaker, probe, settle } = await probing('hq-fail');
      const queued = Array.from({ length: 10 }, () => breaker.execute(() => 'never'));
      settle('fail');
      await probe.catch(() => {});
      const results = await Promise.allSettled(queued);
      expect(results.every((result) => result.status === 'rejected')).toBe(true);
      expect(calls('hq-fail', 'rejected')).toBe(10);
      expect(calls('hq-fail', 'failure')).toBe(2);
    });

    it('counts each call queued behind a good probe as a success', async () => {
      const { breaker, probe, settle } = await probing('hq-ok');
      const queued = Array.from({ length: 10 }, () => breaker.execute(() => 'after'));
      settle('ok');
      await probe;
      expect(await Promise.all(queued)).toEqual(Array(10).fill('after'));
      expect([calls('hq-ok', 'success'), calls('hq-ok', 'rejected')]).toEqual([11, 0]);
    });

    it('counts an ignored error during a probe as ignored, not as a success', async () => {
      const { probe, settle } = await probing('hq-ignored');
      settle('ignored');
      await probe.catch(() => {});
      expect([calls('hq-ignored', 'ignored'), calls('hq-ignored', 'success')]).toEqual([1, 0]);
    });

    it('counts a probe that finishes after isolate()', async () => {
      const { breaker, probe, settle } = await probing('hq-isolated');
      const isolation = breaker.isolate();
      settle('ok');
      await probe;
      expect(calls('hq-isolated', 'success')).toBe(1);
      isolation.dispose();
    });

    it('reports half-open and isolated as degraded, even when critical', async () => {
      const { breaker, probe, settle } = await probing('hq-health');
      const check = healthRegistry()
        .list()
        .find((candidate) => candidate.name === 'hq-health')!;
      expect(await check.check()).toMatchObject({ status: 'degraded', details: { state: 'half_open' } });
      settle('ok');
      await probe;
      const isolation = breaker.isolate();
      expect(await check.check()).toMatchObject({ status: 'degraded', details: { state: 'isolated' } });
      isolation.dispose();
      const critical = instrumented('hq-critical', { critical: true }, newBreaker(1, 1_000));
      await critical.execute(fail).catch(() => {});
      vi.advanceTimersByTime(1_001);
      const pending = critical.execute(() => new Promise(() => {}));
      const criticalCheck = healthRegistry()
        .list()
        .find((candidate) => candidate.name === 'hq-critical')!;
      expect(await criticalCheck.check()).toMatchObject({
        status: 'degraded',
        details: { state: 'half_open' },
      });
      void pending;
    });
  });

  it('does not count as its own a rejection by another breaker inside the call', async () => {
    const outer = instrumented('outer', {}, newBreaker(1));
    const inner = instrumented('inner');
    const isolation = inner.isolate();
    await outer.execute(fail).catch(() => {}); // outer opens
    vi.useFakeTimers();
    vi.advanceTimersByTime(20_000); // outer may probe
    await outer.execute(() => inner.execute(() => 'x')).catch(() => {});
    expect(calls('inner', 'rejected')).toBe(1);
    expect(calls('outer', 'rejected')).toBe(0);
    expect(calls('outer', 'ignored')).toBe(1); // the inner rejection is not an error the outer filter handles
    isolation.dispose();
  });

  it("leaves the breaker's toJSON() working: its state survives a JSON round trip", async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date'] });
    const breaker = instrumented('json', {}, newBreaker(1));
    await breaker.execute(fail).catch(() => {});
    expect(JSON.parse(JSON.stringify(breaker))).toEqual({
      ownState: { value: cockatiel.CircuitState.Open, openedAt: 1_700_000_000_000, attemptNo: 1 },
      breakerState: 1,
    });
    const restored = circuitBreaker(handleType(DownstreamError), {
      halfOpenAfter: 10_000,
      breaker: new ConsecutiveBreaker(1),
      initialState: JSON.parse(JSON.stringify(breaker)),
    });
    expect(restored.state).toBe(cockatiel.CircuitState.Open);
  });

  it('refuses a frozen breaker with a typed error, leaving nothing registered', () => {
    const frozen = Object.freeze(newBreaker());
    expect(() => instrumentCircuitBreaker(frozen, { name: 'frozen' })).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining('frozen'),
      }),
    );
    expect(
      healthRegistry()
        .list()
        .some((check) => check.name === 'frozen'),
    ).toBe(false);
  });

  it('counts through public events for a breaker without cockatiel 3/4 internals', async () => {
    const real = newBreaker();
    // Only the public surface, as another cockatiel version might have it.
    const foreign = {
      get state() {
        return real.state;
      },
      execute: real.execute.bind(real),
      onSuccess: real.onSuccess,
      onFailure: real.onFailure,
      onBreak: real.onBreak,
      onStateChange: real.onStateChange,
      isolate: () => real.isolate(),
    };
    const breaker = instrumentCircuitBreaker(foreign, { name: 'foreign' });
    disposers.push(() => breaker.dispose());
    await breaker.execute(() => 1);
    await breaker.execute(fail).catch(() => {});
    await breaker.execute(ignoredError).catch(() => {});
    expect([calls('foreign', 'success'), calls('foreign', 'failure'), calls('foreign', 'ignored')]).toEqual([
      1, 1, 1,
    ]);
  });

  describe('bad input', () => {
    it.each([
      ['', ErrorCode.INVALID_NAME],
      ['x'.repeat(65), ErrorCode.INVALID_NAME],
      [42, ErrorCode.INVALID_NAME],
      [undefined, ErrorCode.INVALID_NAME],
    ])('rejects the name %j with %s', (name, code) => {
      expect(() => instrumentCircuitBreaker(newBreaker(), { name } as never)).toThrow(
        expect.objectContaining({ code }),
      );
    });

    it('rejects something that is not a breaker', () => {
      expect(() =>
        instrumentCircuitBreaker(cockatiel.retry(cockatiel.handleAll, {}) as never, { name: 'r' }),
      ).toThrow(
        expect.objectContaining({
          code: ErrorCode.INVALID_ARGUMENT,
          message: expect.stringContaining('not a cockatiel circuit breaker'),
        }),
      );
      expect(() => instrumentCircuitBreaker(null as never, { name: 'n' })).toThrow(/not a cockatiel/);
    });

    it('refuses to instrument one breaker twice', () => {
      const raw = newBreaker();
      instrumented('first', {}, raw);
      expect(() => instrumentCircuitBreaker(raw, { name: 'second' })).toThrow(
        /already instrumented as "first"/,
      );
    });

    it('leaves nothing half-attached when the name is taken in the health registry', async () => {
      instrumented('taken');
      const raw = newBreaker();
      expect(() => instrumentCircuitBreaker(raw, { name: 'taken' })).toThrow(
        expect.objectContaining({ code: ErrorCode.DUPLICATE_HEALTH_CHECK }),
      );
      expect(Object.hasOwn(raw, 'execute')).toBe(false);
      instrumented('taken-retry', {}, raw); // the failed attempt did not claim the breaker
    });
  });
});
