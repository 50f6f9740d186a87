import { FakeOllamaConfigError, type FakeOllamaErrorCode } from './errors.js';

/** Throws a {@link FakeOllamaConfigError} with `code` and `message`. */
export function fail(code: FakeOllamaErrorCode, message: string): never {
  throw new FakeOllamaConfigError(code, message);
}

/** Checks that `value` is a plain object whose keys are all in `known`, naming a typo and the keys allowed. */
export function checkKeys(
  value: unknown,
  known: readonly string[],
  what: string,
  code: FakeOllamaErrorCode,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(code, `${what} must be an object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(code, `${what} has no option "${key}" (known: ${known.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

/** Reads an optional number in `[min, max]` (integers only when `integer`), or returns `fallback`. */
export function readNumber(
  value: unknown,
  what: string,
  code: FakeOllamaErrorCode,
  rule: { min: number; max?: number; integer?: boolean; exclusiveMin?: boolean },
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const max = rule.max ?? Number.POSITIVE_INFINITY;
  const belowMin = rule.exclusiveMin ? (value as number) <= rule.min : (value as number) < rule.min;
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    belowMin ||
    value > max ||
    (rule.integer && !Number.isInteger(value))
  ) {
    const kind = rule.integer ? 'an integer' : 'a number';
    const range =
      max === Number.POSITIVE_INFINITY
        ? `${rule.exclusiveMin ? 'greater than' : 'at least'} ${rule.min}`
        : `from ${rule.min} to ${max}`;
    fail(code, `${what} must be ${kind} ${range}, got ${describe(value)}`);
  }
  return value;
}

/** Reads an optional non-empty string, or returns `fallback`. */
export function readString(
  value: unknown,
  what: string,
  code: FakeOllamaErrorCode,
  fallback: string,
): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') {
    fail(code, `${what} must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** Reads an optional array of non-empty strings, or returns `fallback`. */
export function readStrings(
  value: unknown,
  what: string,
  code: FakeOllamaErrorCode,
  fallback: readonly string[],
): string[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    fail(code, `${what} must be an array of non-empty strings, got ${describe(value)}`);
  }
  return [...(value as string[])];
}

/** A short description of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
