import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import { HealthRegistry, healthRegistry, healthStatusValue, worseStatus } from './health.js';

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
