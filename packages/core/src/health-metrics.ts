import { CATALOG } from './catalog.js';
import { ErrorCode } from './errors.js';
import { reportInstrumentationError } from './guard.js';
import {
  DEFAULT_HEALTH_MAX_AGE_MS,
  DEFAULT_HEALTH_TIMEOUT_MS,
  type HealthRegistry,
  type HealthStatus,
  healthRegistry,
  healthStatusValue,
  worseStatus,
} from './health.js';
import { createMetricGroup } from './metric-group.js';
import { validateNumber } from './validate-number.js';

/** Options of {@link startHealthStatusMetrics}. */
export interface HealthStatusMetricsOptions {
  /**
   * How often the gauge asks the registry's evaluator for a report, in milliseconds (a report younger than
   * {@link DEFAULT_HEALTH_MAX_AGE_MS}, say one `/health` just produced, is reused).
   * @default 15000
   */
  intervalMs?: number;
  /**
   * The deadline of an evaluation the gauge starts, in milliseconds (see `EvaluateOptions.timeoutMs`).
   * @default 1000
   */
  timeoutMs?: number;
  /**
   * The registry to report.
   * @default the process-wide one
   */
  registry?: HealthRegistry;
}

/**
 * Reports `health_status{component}` (1 healthy, 0.5 degraded, 0 unhealthy) for every component of the
 * health registry and for `overall`. A gauge is read synchronously at collection time while checks may be
 * asynchronous, so it shows the registry's last report, the same one `/health` and the dashboard read; a
 * timer asks the registry's evaluator for a fresh one every `intervalMs`. Returns the function that stops it.
 */
export function startHealthStatusMetrics(options: HealthStatusMetricsOptions = {}): () => void {
  const intervalMs = options.intervalMs ?? 15_000;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  for (const [name, value] of [
    ['intervalMs', intervalMs],
    ['timeoutMs', timeoutMs],
  ] as const) {
    validateNumber(value, `health_status option ${name}`, {
      code: ErrorCode.INVALID_CONFIG,
      min: 1,
      unit: 'milliseconds',
    });
  }
  const registry = options.registry ?? healthRegistry();
  const group = createMetricGroup();
  const reported = new Set<string>();
  const statusOf = (component: string): number | undefined => {
    const report = registry.lastReport;
    if (report === undefined) return undefined;
    if (component === 'overall') return healthStatusValue(report.status);
    if (!Object.hasOwn(report.components, component)) return undefined;
    const checks = report.components[component]!;
    let status: HealthStatus = 'healthy';
    for (const check of Object.values(checks)) status = worseStatus(status, check.status);
    return healthStatusValue(status);
  };
  let stopped = false;
  const track = (component: string): void => {
    if (stopped || reported.has(component)) return; // an evaluation may finish after stop()
    reported.add(component);
    group.gauge(CATALOG.healthStatus, { component }, () => statusOf(component));
  };
  track('overall');
  const evaluateOptions = { timeoutMs, maxAgeMs: DEFAULT_HEALTH_MAX_AGE_MS };
  const evaluate = async (): Promise<void> => {
    try {
      const report = await registry.evaluate(evaluateOptions);
      for (const component of Object.keys(report.components)) track(component);
    } catch (error) {
      reportInstrumentationError('health_status evaluation', error);
    }
  };
  void evaluate();
  const timer = setInterval(() => void evaluate(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
    group.dispose();
  };
}
