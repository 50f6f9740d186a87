import { brandErrorClass } from './brand-error-class.js';

/**
 * Stable error codes. A code never changes meaning once released; messages may be improved freely.
 * Packages add their codes here so that one list documents every code a user can match on.
 */
export const ErrorCode = Object.freeze({
  /**
   * An argument to a Sightglass call is missing, of the wrong type or out of range: a key passed to a method,
   * the options of one call (`warm({ concurrency })`, a request's `timeoutMs`), a value to instrument.
   */
  INVALID_ARGUMENT: 'ERR_SIGHTGLASS_INVALID_ARGUMENT',
  /** A name (breaker, pool, cache, health check) is empty, too long or not a string. */
  INVALID_NAME: 'ERR_SIGHTGLASS_INVALID_NAME',
  /** A label set does not have exactly the labels its catalog entry declares. */
  INVALID_LABELS: 'ERR_SIGHTGLASS_INVALID_LABELS',
  /**
   * A configuration value cannot be used: an option given to a constructor, a `createX()` / `startX()` /
   * `instrumentX()` factory or a store, or an environment variable.
   */
  INVALID_CONFIG: 'ERR_SIGHTGLASS_INVALID_CONFIG',
  /** A port is outside 0..65535. */
  INVALID_PORT: 'ERR_SIGHTGLASS_INVALID_PORT',
  /** A URL cannot be parsed or has a scheme that cannot be used. */
  INVALID_URL: 'ERR_SIGHTGLASS_INVALID_URL',
  /** `OTEL_METRICS_EXPORTER` or an option names an exporter Sightglass does not know. */
  UNKNOWN_EXPORTER: 'ERR_SIGHTGLASS_UNKNOWN_EXPORTER',
  /** A server could not listen because its address is taken. */
  PORT_IN_USE: 'ERR_SIGHTGLASS_PORT_IN_USE',
  /** A server could not listen for another reason (permission, unknown host). */
  LISTEN_FAILED: 'ERR_SIGHTGLASS_LISTEN_FAILED',
  /** `startTelemetry()` was called while a previous start is still running. */
  ALREADY_STARTED: 'ERR_SIGHTGLASS_ALREADY_STARTED',
  /** An optional peer dependency that a chosen feature needs is not installed. The message names the package. */
  MISSING_DEPENDENCY: 'ERR_SIGHTGLASS_MISSING_DEPENDENCY',
  /**
   * Installed OpenTelemetry packages cannot work together (two copies of `@opentelemetry/api`, or an SDK
   * line that needs another API or Node.js version). The message names both versions and what to install.
   */
  INCOMPATIBLE_VERSIONS: 'ERR_SIGHTGLASS_INCOMPATIBLE_VERSIONS',
  /** A health check was registered twice under one component and name. */
  DUPLICATE_HEALTH_CHECK: 'ERR_SIGHTGLASS_DUPLICATE_HEALTH_CHECK',
  /** A cache key is not a non-empty string (or is too long). */
  CACHE_INVALID_KEY: 'ERR_SIGHTGLASS_CACHE_INVALID_KEY',
  /** A cache value is `undefined` or cannot be serialized; nothing was written. */
  CACHE_INVALID_VALUE: 'ERR_SIGHTGLASS_CACHE_INVALID_VALUE',
  /** A cache loader did not settle within its timeout. */
  CACHE_LOAD_TIMEOUT: 'ERR_SIGHTGLASS_CACHE_LOAD_TIMEOUT',
  /** The cache's store failed and the cache is configured to fail closed. */
  CACHE_STORE_UNAVAILABLE: 'ERR_SIGHTGLASS_CACHE_STORE_UNAVAILABLE',
} as const);

/** One of the stable error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The error every Sightglass package throws for bad input or configuration. Match on `code`.
 *
 * `instanceof SightglassError` holds for errors of any copy of `@sightglass/core` in the process: it checks
 * a `Symbol.for` brand, not the prototype chain. A subclass keeps the ordinary prototype check.
 */
export class SightglassError extends Error {
  override readonly name = 'SightglassError';

  constructor(
    /** A stable code from {@link ErrorCode}. */
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// The key is shared by every copy of this package loaded in one process (two versions installed side by side,
// or a bundled and an installed copy): an error thrown by one passes `instanceof SightglassError` in another.
brandErrorClass(SightglassError, 'sightglass.error');

/** The longest name accepted for a breaker, pool, cache or health check. */
export const MAX_NAME_LENGTH = 64;

/**
 * Checks a user-given instance name (breaker, pool, cache) and returns it. Names become label values, so
 * they must be short, non-empty strings; anything else is a programming error reported at set-up time.
 */
export function validateName(name: unknown, what: string): string {
  if (typeof name !== 'string') {
    throw new SightglassError(ErrorCode.INVALID_NAME, `${what} name must be a string, got ${typeof name}`);
  }
  if (name.trim().length === 0) {
    throw new SightglassError(ErrorCode.INVALID_NAME, `${what} name must not be empty`);
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new SightglassError(
      ErrorCode.INVALID_NAME,
      `${what} name must be at most ${MAX_NAME_LENGTH} characters, got ${name.length}`,
    );
  }
  return name;
}
