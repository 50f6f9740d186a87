import {
  HealthComponent,
  type HealthRegistry,
  type HealthReport,
  healthRegistry,
  SIGHTGLASS_VERSION,
} from '@sightglass/core';
import type { HttpResponseParts } from './metrics-response.js';

/** Options of the `/health`, `/livez` and `/readyz` handlers. */
export interface HealthEndpointOptions {
  /**
   * `always` (default) shows each check's details; `never` shows only statuses, for endpoints reachable
   * beyond your network (details can name hosts and carry error messages).
   */
  details?: 'always' | 'never';
  /** Time allowed to each check, in milliseconds. Default 1000: a slow check never hangs the endpoint. */
  timeoutMs?: number;
  /** The version shown by `/health`. Default: Sightglass's. */
  version?: string;
  /** The registry to report. Default: the process-wide one. */
  registry?: HealthRegistry;
}

/** The components the spec's `/health` shape always has, empty when nothing registered under them. */
const SEED_COMPONENTS = Object.values(HealthComponent);
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
  for (const name of SEED_COMPONENTS) components[name] = {};
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
 * unhealthy. Every check runs with a timeout; a check that throws or hangs is unhealthy with a reason.
 */
export async function healthResponse(
  options: HealthEndpointOptions = {},
): Promise<HttpResponseParts<string>> {
  const registry = options.registry ?? healthRegistry();
  const report = await registry.evaluate({ timeoutMs: options.timeoutMs ?? 1000 });
  return json(report.status === 'unhealthy' ? 503 : 200, {
    status: report.status,
    ...shape(report, options.details !== 'never'),
    uptime_seconds: Math.round(process.uptime()),
    version: options.version ?? SIGHTGLASS_VERSION,
  });
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
    const report = await registry.evaluate({ timeoutMs: options.timeoutMs ?? 1000 });
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
