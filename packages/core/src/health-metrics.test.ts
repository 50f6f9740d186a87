import { afterEach, expect, it, vi } from 'vitest';
import { CATALOG } from './catalog.js';
import { ErrorCode } from './errors.js';
import { HealthRegistry } from './health.js';
import { startHealthStatusMetrics } from './health-metrics.js';
import { metricRegistry } from './metric-registry.js';

const value = (component: string) => metricRegistry().value(CATALOG.healthStatus, { component });

afterEach(() => {
  vi.useRealTimers();
});

it('reports health_status per component and overall from the latest evaluation', async () => {
  vi.useFakeTimers();
  const registry = new HealthRegistry();
  let breaker: 'healthy' | 'degraded' = 'healthy';
  registry.register({ component: 'circuit_breakers', name: 'ollama', check: () => ({ status: breaker }) });
  registry.register({ component: 'cache', name: 'answers', check: () => ({ status: 'healthy' }) });
  const stop = startHealthStatusMetrics({ registry, intervalMs: 5000 });
  await vi.advanceTimersByTimeAsync(0);
  expect([value('overall'), value('circuit_breakers'), value('cache')]).toEqual([1, 1, 1]);
  breaker = 'degraded';
  await vi.advanceTimersByTimeAsync(5000);
  expect([value('overall'), value('circuit_breakers'), value('cache')]).toEqual([0.5, 0.5, 1]);
  stop();
  expect(value('overall')).toBeUndefined();
});

it('shows a hanging check as unhealthy once the deadline passes, whatever its own timeoutMs', async () => {
  vi.useFakeTimers();
  const registry = new HealthRegistry();
  registry.register({
    component: 'cache',
    name: 'frozen',
    check: () => new Promise(() => {}),
    timeoutMs: 60_000,
  });
  const stop = startHealthStatusMetrics({ registry });
  await vi.advanceTimersByTimeAsync(1000);
  expect([value('overall'), value('cache')]).toEqual([0.5, 0]);
  stop();
});

it('reads the report /health produced within the freshness window instead of running the checks again', async () => {
  vi.useFakeTimers();
  const registry = new HealthRegistry();
  const check = vi.fn(() => ({ status: 'healthy' as const }));
  registry.register({ component: 'cache', name: 'answers', check });
  await registry.evaluate(); // what /health did a moment ago
  const stop = startHealthStatusMetrics({ registry });
  await vi.advanceTimersByTimeAsync(0);
  expect(check).toHaveBeenCalledTimes(1);
  expect(value('cache')).toBe(1);
  stop();
});

it('adds no series after it stopped, even when an evaluation finishes later', async () => {
  vi.useFakeTimers();
  const registry = new HealthRegistry();
  registry.register({
    component: 'late_component',
    name: 'slow',
    check: () => new Promise((resolve) => setTimeout(() => resolve({ status: 'healthy' }), 100)),
  });
  const stop = startHealthStatusMetrics({ registry });
  stop();
  await vi.advanceTimersByTimeAsync(100);
  expect(registry.lastReport?.status).toBe('healthy');
  expect(value('late_component')).toBeUndefined();
});

it('refuses options it cannot use', () => {
  for (const options of [{ intervalMs: 0 }, { timeoutMs: -1 }, { timeoutMs: Number.NaN }]) {
    expect(() => startHealthStatusMetrics(options)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }),
    );
  }
});
