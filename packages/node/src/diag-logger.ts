import { DiagConsoleLogger, type DiagLogLevel, diag } from '@opentelemetry/api';
import { apiGlobals } from './otel-api-internals.js';

function registeredDiagLogger(): unknown {
  return apiGlobals()?.diag;
}

/**
 * Whether a diag logger is registered: by the application (`diag.setLogger()`), by a NodeSDK, or by an
 * earlier `startTelemetry()`. The public API cannot tell; `diag.setLogger()` replaces whatever is there.
 */
export function hasDiagLogger(): boolean {
  return registeredDiagLogger() !== undefined;
}

/**
 * Prints OpenTelemetry's diagnostic messages to the console at `level`, as NodeSDK does for `OTEL_LOG_LEVEL`,
 * but only when no diag logger is registered yet: the application's own logger is never replaced.
 *
 * @returns the function that removes the logger again, if it is still the one this call installed (a logger
 *   the application registered since stays); a no-op when nothing was installed.
 */
export function installDiagLogger(level: DiagLogLevel): () => void {
  if (hasDiagLogger()) return () => {};
  // false when the API globals belong to an incompatible copy of @opentelemetry/api: nothing was installed.
  if (!diag.setLogger(new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true })) {
    return () => {};
  }
  // The API registers a level-filtering wrapper around the logger, so compare with what it registered.
  const installed = registeredDiagLogger();
  return () => {
    if (registeredDiagLogger() === installed) diag.disable();
  };
}
