import { CATALOG } from './catalog.js';
import {
  type HealthRegistry,
  type HealthStatus,
  healthRegistry,
  healthStatusValue,
  worseStatus,
} from './health.js';
import { createMetricGroup } from './metric-group.js';

/** Options of {@link startHealthStatusMetrics}. */
export interface HealthStatusMetricsOptions {
  /** How often the checks run, in milliseconds. Default 15000. */
  intervalMs?: number;
  /** Time allowed to each check, in milliseconds. Default 1000. */
  timeoutMs?: number;
  registry?: HealthRegistry;
}

/**
 * Reports `health_status{component}` (1 healthy, 0.5 degraded, 0 unhealthy) for every component of the
 * health registry and for `overall`. The checks run on a timer (and whenever `/health` is served), and the
 * gauge shows the latest results, because a gauge is read synchronously at collection time while checks
 * may be asynchronous. Returns the function that stops it.
 */
export function startHealthStatusMetrics(options: HealthStatusMetricsOptions = {}): () => void {
  const registry = options.registry ?? healthRegistry();
  const group = createMetricGroup();
  const reported = new Set<string>();
  const statusOf = (component: string): number | undefined => {
    const report = registry.lastReport;
    if (report === undefined) return undefined;
    if (component === 'overall') return healthStatusValue(report.status);
    const checks = report.components[component];
    if (checks === undefined) return undefined;
    let status: HealthStatus = 'healthy';
    for (const check of Object.values(checks)) status = worseStatus(status, check.status);
    return healthStatusValue(status);
  };
  const track = (component: string): void => {
    if (reported.has(component)) return;
    reported.add(component);
    group.gauge(CATALOG.healthStatus, { component }, () => statusOf(component));
  };
  track('overall');
  const evaluate = async (): Promise<void> => {
    const report = await registry.evaluate({ timeoutMs: options.timeoutMs ?? 1000 });
    for (const component of Object.keys(report.components)) track(component);
  };
  void evaluate();
  const timer = setInterval(() => void evaluate(), options.intervalMs ?? 15_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    group.dispose();
  };
}
