/**
 * The `@opentelemetry/api` internal @sightglass/node depends on, in this one module;
 * otel-api-internals.test.ts is its canary and fails naming the API version that moved it.
 *
 * Where `@opentelemetry/api` 1.x keeps its process-wide registrations (`diag`, `metrics`, `trace`,
 * `context`, `propagation`) and the version of the API copy that made the first one, shared by every copy
 * of the API of that major version. Read here only, never written.
 */
export const API_GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');

/** What the API keeps under its global key (only the fields Sightglass reads). */
export interface ApiGlobals {
  /** The version of the API copy that registered first; later registrations must come from it. */
  version?: unknown;
  /** The registered diag logger, if any. */
  diag?: unknown;
  /** The API's ProxyTracerProvider, once a global TracerProvider was registered (`trace.setGlobalTracerProvider`). */
  trace?: unknown;
  /** The registered context manager, if any (`context.setGlobalContextManager`). */
  context?: unknown;
  /** The registered propagator, if any (`propagation.setGlobalPropagator`). */
  propagation?: unknown;
}

/** The API's process-wide registrations, or `undefined` before anything was registered. */
export function apiGlobals(): ApiGlobals | undefined {
  return (globalThis as { [API_GLOBAL_KEY]?: ApiGlobals })[API_GLOBAL_KEY];
}
