import { expect, it } from 'vitest';
import { CATALOG } from './catalog.js';
import { HealthRegistry } from './health.js';
import { startHealthStatusMetrics } from './health-metrics.js';
import { metricRegistry } from './metric-registry.js';

it('reports health_status per component and overall from the latest evaluation', async () => {
  const registry = new HealthRegistry();
  let breaker: 'healthy' | 'degraded' = 'healthy';
  registry.register({ component: 'circuit_breakers', name: 'ollama', check: () => ({ status: breaker }) });
  registry.register({ component: 'cache', name: 'answers', check: () => ({ status: 'healthy' }) });
  const stop = startHealthStatusMetrics({ registry, intervalMs: 10 });
  const value = (component: string) => metricRegistry().value(CATALOG.healthStatus, { component });
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect([value('overall'), value('circuit_breakers'), value('cache')]).toEqual([1, 1, 1]);
  breaker = 'degraded';
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect([value('overall'), value('circuit_breakers'), value('cache')]).toEqual([0.5, 0.5, 1]);
  stop();
  expect(value('overall')).toBeUndefined();
});
