import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from './errors.js';
import {
  DEFAULT_HEALTH_MAX_AGE_MS,
  HealthRegistry,
  type HealthReport,
  healthRegistry,
  healthStatusValue,
  worseStatus,
} from './health.js';

const ok = () => ({ status: 'healthy' as const });

describe('HealthRegistry', () => {
  it('reports healthy with no checks', async () => {
    await expect(new HealthRegistry().evaluate()).resolves.toEqual({ status: 'healthy', components: {} });
  });

  it('groups checks by component and name, with their details', async () => {
    const registry = new HealthRegistry();
    registry.register({ component: 'circuit_breakers', name: 'ollama', check: ok });
    registry.register({
      component: 'cache',
      name: 'answers',
      check: async () => ({ status: 'healthy', details: { entries: 3 } }),
    });
    const report = await registry.evaluate();
    expect(report.components).toEqual({
      circuit_breakers: { ollama: { status: 'healthy', critical: false } },
      cache: { answers: { status: 'healthy', details: { entries: 3 }, critical: false } },
    });
  });

  it('lets a failing non-critical part degrade the process but never fail it', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'circuit_breakers',
      name: 'ollama',
      check: () => ({ status: 'unhealthy' }),
    });
    expect((await registry.evaluate()).status).toBe('degraded');
  });

  it('lets a critical part make the process unhealthy', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'db',
      name: 'main',
      critical: true,
      check: () => ({ status: 'unhealthy' }),
    });
    registry.register({ component: 'cache', name: 'c', check: () => ({ status: 'degraded' }) });
    expect((await registry.evaluate()).status).toBe('unhealthy');
  });

  it('marks a check that throws unhealthy with the reason, without rejecting', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'cache',
      name: 'redis',
      check: () => {
        throw new TypeError('socket closed');
      },
    });
    const report = await registry.evaluate();
    expect(report.components.cache?.redis).toMatchObject({
      status: 'unhealthy',
      details: { reason: 'check threw TypeError: socket closed' },
    });
    expect(report.status).toBe('degraded');
  });

  it('marks a check that hangs unhealthy after its timeout, and does not hang', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'cache',
      name: 'slow',
      check: () => new Promise(() => {}),
      timeoutMs: 20,
    });
    registry.register({ component: 'cache', name: 'fast', check: ok });
    const report = await registry.evaluate({ timeoutMs: 5000 });
    expect(report.components.cache?.slow?.details).toEqual({ reason: 'check timed out after 20 ms' });
    expect(report.components.cache?.fast?.status).toBe('healthy');
  });

  it('treats a check that returns garbage as unhealthy', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'x',
      name: 'y',
      critical: true,
      check: () => ({ status: 'fine' }) as never,
    });
    expect((await registry.evaluate()).status).toBe('unhealthy');
  });

  it('runs a check written as a class, with its `this`', async () => {
    class PoolCheck {
      component = 'connection_pool';
      name = 'ollama';
      private readonly active = 3;
      check() {
        return { status: 'healthy' as const, details: { active: this.active } };
      }
    }
    const registry = new HealthRegistry();
    registry.register(new PoolCheck());
    const report = await registry.evaluate();
    expect(report.components.connection_pool?.ollama).toEqual({
      status: 'healthy',
      details: { active: 3 },
      critical: false,
    });
  });

  it('does not take an inherited property name for a status', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'x',
      name: 'y',
      critical: true,
      check: () => ({ status: 'toString' }) as never,
    });
    expect((await registry.evaluate()).status).toBe('unhealthy');
  });

  it('rejects duplicates and bad registrations with typed errors', () => {
    const registry = new HealthRegistry();
    registry.register({ component: 'cache', name: 'a', check: ok });
    expect(() => registry.register({ component: 'cache', name: 'a', check: ok })).toThrow(
      expect.objectContaining({ code: ErrorCode.DUPLICATE_HEALTH_CHECK }),
    );
    expect(() => registry.register({ component: '', name: 'a', check: ok })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_NAME }),
    );
    expect(() => registry.register({ component: 'c', name: 'a', check: 'no' as never })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
  });

  it('removes a check with the function register returned, once', async () => {
    const registry = new HealthRegistry();
    const remove = registry.register({ component: 'cache', name: 'a', check: ok });
    remove();
    const again = registry.register({ component: 'cache', name: 'a', check: ok });
    remove(); // a stale remover must not remove the new registration
    expect(registry.list()).toHaveLength(1);
    again();
    expect(registry.list()).toHaveLength(0);
  });

  it('is one registry per process', () => {
    expect(healthRegistry()).toBe(healthRegistry());
  });
});

describe('readiness gates', () => {
  it('holds readiness back until every gate is open or disposed', () => {
    const registry = new HealthRegistry();
    expect(registry.readiness()).toEqual({ ready: true, waitingFor: [] });
    const warm = registry.readinessGate('cache:answers');
    const other = registry.readinessGate('cache:models');
    expect(registry.readiness()).toEqual({ ready: false, waitingFor: ['cache:answers', 'cache:models'] });
    warm.open();
    expect(warm.isOpen).toBe(true);
    expect(registry.readiness()).toEqual({ ready: false, waitingFor: ['cache:models'] });
    other.dispose();
    expect(registry.readiness()).toEqual({ ready: true, waitingFor: [] });
    expect(() => registry.readinessGate('')).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_NAME }),
    );
  });
});

describe('status helpers', () => {
  it('orders statuses and maps them to gauge values', () => {
    expect(worseStatus('healthy', 'degraded')).toBe('degraded');
    expect(worseStatus('unhealthy', 'degraded')).toBe('unhealthy');
    expect([
      healthStatusValue('healthy'),
      healthStatusValue('degraded'),
      healthStatusValue('unhealthy'),
    ]).toEqual([1, 0.5, 0]);
  });
});

describe('shutdown and the last report', () => {
  it('reports not ready while shutting down, and keeps the last evaluation', async () => {
    const registry = new HealthRegistry();
    expect(registry.lastReport).toBeUndefined();
    registry.markNotReady();
    expect(registry.readiness()).toEqual({ ready: false, waitingFor: ['shutting down'] });
    registry.markReady();
    expect(registry.readiness().ready).toBe(true);
    const report = await registry.evaluate();
    expect(registry.lastReport).toBe(report);
  });
});

describe('checks that misbehave', () => {
  it('reports a check whose details cannot be written as JSON unhealthy with the reason; the others stand', async () => {
    const registry = new HealthRegistry();
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const details = {
      cycle,
      bigint: { count: 10n },
      throwing: {
        toJSON() {
          throw new Error('no JSON for you');
        },
      },
    };
    for (const [name, value] of Object.entries(details)) {
      registry.register({ component: 'cache', name, check: () => ({ status: 'healthy', details: value }) });
    }
    registry.register({
      component: 'cache',
      name: 'fine',
      check: () => ({ status: 'healthy', details: { a: 1 } }),
    });
    const report = await registry.evaluate();
    expect(() => JSON.stringify(report)).not.toThrow();
    for (const name of Object.keys(details)) {
      expect(report.components.cache?.[name]).toEqual({
        status: 'unhealthy',
        critical: false,
        details: { reason: expect.stringMatching(/^check details cannot be written as JSON: \w*Error: /) },
      });
    }
    expect(report.components.cache?.throwing?.details?.reason).toContain('no JSON for you');
    expect(report.components.cache?.fine).toEqual({ status: 'healthy', details: { a: 1 }, critical: false });
    expect(report.status).toBe('degraded');
  });

  it('keeps a copy of the details, not the objects the check goes on changing', async () => {
    const registry = new HealthRegistry();
    const details = { entries: 1 };
    registry.register({ component: 'cache', name: 'a', check: () => ({ status: 'healthy', details }) });
    const report = await registry.evaluate();
    details.entries = 2;
    expect(report.components.cache?.a?.details).toEqual({ entries: 1 });
  });

  it('never rejects, whatever a check throws or returns', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'x',
      name: 'getter',
      check: () =>
        ({
          status: 'healthy',
          get details(): never {
            throw new Error('getter broke');
          },
        }) as never,
    });
    registry.register({
      component: 'x',
      name: 'bare-object',
      check: () => {
        throw Object.create(null); // String() of it throws
      },
    });
    registry.register({
      component: 'x',
      name: 'thenable',
      check: () =>
        ({
          // biome-ignore lint/suspicious/noThenProperty: a thenable whose then throws is the point
          get then(): never {
            throw new Error('then broke');
          },
        }) as never,
    });
    const report = await registry.evaluate();
    expect(report.components.x?.getter?.details).toEqual({ reason: 'check threw Error: getter broke' });
    expect(report.components.x?.['bare-object']?.details).toEqual({
      reason: 'check threw a value that cannot be shown',
    });
    expect(report.components.x?.thenable?.details).toEqual({ reason: 'check threw Error: then broke' });
  });

  it('reports a check or component named __proto__ as its own entry, touching no prototype', async () => {
    const registry = new HealthRegistry();
    registry.register({ component: '__proto__', name: 'polluted', check: ok });
    registry.register({ component: 'cache', name: '__proto__', check: ok });
    const report = await registry.evaluate();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(report.components, '__proto__')).toBe(true);
    expect(Object.keys(report.components.cache ?? {})).toEqual(['__proto__']);
  });

  it('refuses a check timeoutMs or evaluate() options it cannot use', async () => {
    const registry = new HealthRegistry();
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5' as never]) {
      expect(() => registry.register({ component: 'c', name: 'a', check: ok, timeoutMs })).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
      );
    }
    await expect(registry.evaluate({ timeoutMs: 0 })).rejects.toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
    });
    await expect(registry.evaluate({ maxAgeMs: -1 })).rejects.toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
    });
  });
});

describe('one evaluator', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Settles the promise's outcome into a box, so that a test can see whether it settled yet. */
  function watch(promise: Promise<HealthReport>): { report: HealthReport | undefined } {
    const box: { report: HealthReport | undefined } = { report: undefined };
    void promise.then((report) => {
      box.report = report;
    });
    return box;
  }

  it('ends every evaluation at its deadline: a check timeoutMs of its own cannot extend it', async () => {
    vi.useFakeTimers();
    const registry = new HealthRegistry();
    registry.register({
      component: 'cache',
      name: 'hangs',
      check: () => new Promise(() => {}),
      timeoutMs: 60_000,
    });
    registry.register({ component: 'cache', name: 'fast', check: ok });
    const evaluation = watch(registry.evaluate({ timeoutMs: 1000 }));
    await vi.advanceTimersByTimeAsync(999);
    expect(evaluation.report).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(evaluation.report?.components.cache).toEqual({
      hangs: { status: 'unhealthy', critical: false, details: { reason: 'check timed out after 1000 ms' } },
      fast: { status: 'healthy', critical: false },
    });
    expect(vi.getTimerCount()).toBe(0); // nothing left behind
  });

  it('runs the checks once for any number of concurrent callers', async () => {
    vi.useFakeTimers();
    const registry = new HealthRegistry();
    const check = vi.fn(
      () =>
        new Promise<{ status: 'healthy' }>((resolve) =>
          setTimeout(() => resolve({ status: 'healthy' }), 100),
        ),
    );
    registry.register({ component: 'cache', name: 'redis', check });
    const calls = Array.from({ length: 200 }, () => registry.evaluate());
    await vi.advanceTimersByTimeAsync(100);
    const reports = await Promise.all(calls);
    expect(check).toHaveBeenCalledTimes(1);
    expect(new Set(reports).size).toBe(1);
    expect(registry.lastReport).toBe(reports[0]);
  });

  it('reuses a report younger than maxAgeMs, and runs again once it is older or the checks changed', async () => {
    vi.useFakeTimers();
    const registry = new HealthRegistry();
    const check = vi.fn(ok);
    registry.register({ component: 'cache', name: 'a', check });
    const maxAgeMs = DEFAULT_HEALTH_MAX_AGE_MS;
    const first = await registry.evaluate({ maxAgeMs });
    await vi.advanceTimersByTimeAsync(maxAgeMs - 1);
    expect(await registry.evaluate({ maxAgeMs })).toBe(first);
    expect(check).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await registry.evaluate({ maxAgeMs });
    expect(check).toHaveBeenCalledTimes(2);
    await registry.evaluate(); // maxAgeMs 0 by default: always a new run
    expect(check).toHaveBeenCalledTimes(3);
    const remove = registry.register({ component: 'cache', name: 'b', check: ok });
    expect((await registry.evaluate({ maxAgeMs })).components.cache?.b).toBeDefined();
    remove();
    expect((await registry.evaluate({ maxAgeMs })).components.cache?.b).toBeUndefined();
  });

  it('does not take a report as fresh when the checks changed while it ran', async () => {
    vi.useFakeTimers();
    const registry = new HealthRegistry();
    registry.register({
      component: 'cache',
      name: 'slow',
      check: () => new Promise((resolve) => setTimeout(() => resolve({ status: 'healthy' }), 50)),
    });
    const running = registry.evaluate();
    registry.register({ component: 'cache', name: 'late', check: ok });
    await vi.advanceTimersByTimeAsync(50);
    expect((await running).components.cache?.late).toBeUndefined();
    const again = registry.evaluate({ maxAgeMs: 60_000 });
    await vi.advanceTimersByTimeAsync(50);
    expect((await again).components.cache?.late).toBeDefined();
  });

  it('lets a caller that joins an evaluation in flight wait no longer than its own deadline', async () => {
    vi.useFakeTimers();
    const registry = new HealthRegistry();
    const slow = vi.fn(
      () =>
        new Promise<{ status: 'healthy' }>((resolve) =>
          setTimeout(() => resolve({ status: 'healthy' }), 3000),
        ),
    );
    registry.register({ component: 'cache', name: 'slow', check: slow });
    registry.register({ component: 'cache', name: 'fast', check: ok });
    const long = watch(registry.evaluate({ timeoutMs: 5000 }));
    const short = watch(registry.evaluate({ timeoutMs: 100 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(short.report?.components.cache).toEqual({
      slow: { status: 'unhealthy', critical: false, details: { reason: 'check timed out after 100 ms' } },
      fast: { status: 'healthy', critical: false },
    });
    expect(registry.lastReport).toBeUndefined(); // a report cut short is that caller's only
    await vi.advanceTimersByTimeAsync(2900);
    expect(long.report?.components.cache?.slow?.status).toBe('healthy');
    expect(registry.lastReport).toBe(long.report);
    expect(slow).toHaveBeenCalledTimes(1);
    // A caller whose deadline is later than the evaluation's simply shares it.
    const shared = registry.evaluate({ timeoutMs: 5000 });
    const joined = registry.evaluate({ timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(await joined).toBe(await shared);
    expect(slow).toHaveBeenCalledTimes(2);
  });
});
