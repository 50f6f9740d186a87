import {
  DEFAULT_HEALTH_MAX_AGE_MS,
  DEFAULT_HEALTH_TIMEOUT_MS,
  ErrorCode,
  HealthComponent,
  type HealthRegistry,
  type HealthReport,
  healthRegistry,
  SIGHTGLASS_VERSION,
  SightglassError,
} from '@sightglass/core';
import { reportInstrumentationError, validateNumber } from '@sightglass/core/internal';
import type { HttpResponseParts } from './metrics-response.js';

/** Options of the `/health`, `/livez` and `/readyz` handlers. */
export interface HealthEndpointOptions {
  /**
   * `always` shows each check's details; `never` shows only statuses, for endpoints reachable beyond your
   * network (details can name hosts and carry error messages).
   * @default 'always'
   */
  details?: 'always' | 'never';
  /**
   * The endpoint's deadline, in milliseconds: `/health` and `/readyz` answer within it whatever the checks
   * do (a check's own `timeoutMs` cannot extend it); a check that has not settled by then is shown
   * unhealthy, timed out.
   * @default 1000
   */
  timeoutMs?: number;
  /**
   * How long a health report is reused, in milliseconds: requests within this window (and the
   * `health_status` gauge and the dashboard) share one run of the checks. `0` runs them for every request
   * that does not find a run in flight.
   * @default 1000
   */
  maxAgeMs?: number;
  /**
   * The version shown by `/health`.
   * @default Sightglass's version
   */
  version?: string;
  /**
   * The registry to report.
   * @default the process-wide one
   */
  registry?: HealthRegistry;
}

/**
 * Checks the options of the health handlers up front, throwing `ERR_SIGHTGLASS_INVALID_CONFIG` with what to
 * change; returns them.
 */
export function validateHealthEndpointOptions<O extends HealthEndpointOptions>(options: O): O {
  const { details, timeoutMs, maxAgeMs } = options;
  if (details !== undefined && details !== 'always' && details !== 'never') {
    throw new SightglassError(
      ErrorCode.INVALID_CONFIG,
      `health option details must be 'always' or 'never', got ${JSON.stringify(details)}`,
    );
  }
  for (const [name, value, minimum] of [
    ['timeoutMs', timeoutMs, 1],
    ['maxAgeMs', maxAgeMs, 0],
  ] as const) {
    if (value !== undefined) {
      validateNumber(value, `health option ${name}`, {
        code: ErrorCode.INVALID_CONFIG,
        min: minimum,
        unit: 'milliseconds',
      });
    }
  }
  return options;
}

/** Asks the registry's one evaluator for a report, as the endpoints' options say. */
function evaluate(registry: HealthRegistry, options: HealthEndpointOptions): Promise<HealthReport> {
  return registry.evaluate({
    timeoutMs: options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
    maxAgeMs: options.maxAgeMs ?? DEFAULT_HEALTH_MAX_AGE_MS,
  });
}

/** The components the spec's `/health` shape always has, empty when nothing registered under them. */
const SPEC_COMPONENTS = Object.values(HealthComponent);
const JSON_TYPE = 'application/json; charset=utf-8';

function json(status: number, body: unknown): HttpResponseParts<string> {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store' },
    body: `${JSON.stringify(body)}\n`,
  };
}

/** Top-level fields a component of the same name must not overwrite. */
const RESERVED = new Set(['status', 'uptime_seconds', 'version']);

function shape(report: HealthReport, details: boolean): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  for (const name of SPEC_COMPONENTS) components[name] = {};
  for (const [component, checks] of Object.entries(report.components)) {
    if (RESERVED.has(component) || component === '__proto__') continue; // cannot be shown without clobbering
    components[component] = Object.fromEntries(
      Object.entries(checks).map(([name, check]) => [name, details ? check : { status: check.status }]),
    );
  }
  return components;
}

/**
 * `/health`: `{"status": "healthy" | "degraded" | "unhealthy", "circuit_breakers": {…}, "connection_pool":
 * {…}, "cache": {…}, …, "uptime_seconds", "version"}`, with 200 for healthy and degraded and 503 for
 * unhealthy. It reads the registry's one evaluator (a report at most `maxAgeMs` old, or the run in flight)
 * and answers within `timeoutMs`; a check that throws, hangs or returns details that cannot be written as
 * JSON is unhealthy with a reason, and the others are shown as they are.
 */
export async function healthResponse(
  options: HealthEndpointOptions = {},
): Promise<HttpResponseParts<string>> {
  const report = await evaluate(options.registry ?? healthRegistry(), options);
  const status = report.status === 'unhealthy' ? 503 : 200;
  const body = (details: boolean) => ({
    status: report.status,
    ...shape(report, details),
    uptime_seconds: Math.round(process.uptime()),
    version: options.version ?? SIGHTGLASS_VERSION,
  });
  try {
    return json(status, body(options.details !== 'never'));
  } catch (error) {
    // The registry hands over JSON copies of details; a registry of another kind might not. Statuses only.
    reportInstrumentationError('health response details', error);
    return json(status, body(false));
  }
}

/**
 * `/livez`: the process answers, so its event loop runs. Never looks at a dependency: an outage downstream
 * must not make an orchestrator restart healthy processes.
 */
export function livenessResponse(): HttpResponseParts<string> {
  return json(200, { status: 'ok', uptime_seconds: Math.round(process.uptime()) });
}

/**
 * `/readyz`: 200 once every readiness gate is open (registered warm-ups finished), shutdown has not begun
 * (`markNotReady()`), and no check marked critical is unhealthy; 503 otherwise, with the reasons unless
 * details are hidden.
 */
export async function readinessResponse(
  options: HealthEndpointOptions = {},
): Promise<HttpResponseParts<string>> {
  const registry = options.registry ?? healthRegistry();
  const reasons = [...registry.readiness().waitingFor];
  if (registry.list().some((check) => check.critical === true)) {
    const report = await evaluate(registry, options);
    for (const [component, checks] of Object.entries(report.components)) {
      for (const [name, check] of Object.entries(checks)) {
        if (check.critical && check.status === 'unhealthy') reasons.push(`${component}/${name} unhealthy`);
      }
    }
  }
  if (reasons.length === 0) return json(200, { status: 'ready' });
  return json(503, options.details === 'never' ? { status: 'not_ready' } : { status: 'not_ready', reasons });
}

/** Reports not ready from now on (graceful shutdown): `/readyz` answers 503. */
export function markNotReady(reason?: string, registry: HealthRegistry = healthRegistry()): void {
  registry.markNotReady(reason);
}
