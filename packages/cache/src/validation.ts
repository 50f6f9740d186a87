import { ErrorCode, SightglassError } from '@sightglass/core';
import { type ValidationErrorCode, validateNumber } from '@sightglass/core/internal';

/** The longest cache key accepted, in characters. */
export const MAX_KEY_LENGTH = 1024;

/** Checks a cache key: a non-empty string of at most {@link MAX_KEY_LENGTH} characters. */
export function validateKey(key: unknown): string {
  if (typeof key !== 'string') {
    throw new SightglassError(ErrorCode.CACHE_INVALID_KEY, `cache key must be a string, got ${typeof key}`);
  }
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new SightglassError(
      ErrorCode.CACHE_INVALID_KEY,
      `cache key must have 1 to ${MAX_KEY_LENGTH} characters, got ${key.length}`,
    );
  }
  return key;
}

/** Checks a value to cache: anything but `undefined` (which the cache uses for "absent"). */
export function validateValue<V>(value: V): V {
  if (value === undefined) {
    throw new SightglassError(
      ErrorCode.CACHE_INVALID_VALUE,
      'cannot cache undefined: use null for "no value"',
    );
  }
  return value;
}

/**
 * Checks a duration (a TTL or window): a finite number of milliseconds, 0 or more. `code` is
 * `INVALID_CONFIG` for a cache's or store's option, `INVALID_ARGUMENT` for the options of one call.
 */
export function validateDuration(
  value: unknown,
  what: string,
  code: ValidationErrorCode,
): number | undefined {
  if (value === undefined) return undefined;
  return validateNumber(value, what, { code, min: 0, unit: 'milliseconds' });
}

/**
 * Checks a TTL-like duration: a finite number of milliseconds greater than 0. (0 would mean "forever" to
 * lru-cache but "at once" to Redis, so it is refused rather than given two meanings.)
 */
export function validatePositiveDuration(
  value: unknown,
  what: string,
  code: ValidationErrorCode,
): number | undefined {
  const checked = validateDuration(value, what, code);
  if (checked === 0) {
    throw new SightglassError(code, `${what} must be more than 0 milliseconds (leave it out for no expiry)`);
  }
  return checked;
}
