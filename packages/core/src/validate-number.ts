import { type ErrorCode, SightglassError } from './errors.js';

/**
 * The code a failed check throws: `INVALID_CONFIG` for an option (of a constructor, a factory, a start
 * function, a store) or an environment variable, `INVALID_ARGUMENT` for an argument of one call.
 */
export type ValidationErrorCode = typeof ErrorCode.INVALID_CONFIG | typeof ErrorCode.INVALID_ARGUMENT;

/** The bounds and wording of a numeric check. */
export interface NumberRule {
  /** The code to throw. */
  readonly code: ValidationErrorCode;
  /** The smallest value accepted. */
  readonly min?: number;
  /** A bound the value must be greater than (for "more than 0 milliseconds"). */
  readonly above?: number;
  /** The largest value accepted. */
  readonly max?: number;
  /** The unit named in the message, such as `'milliseconds'`. */
  readonly unit?: string;
}

/**
 * Checks a whole number (a safe integer) within the rule's bounds and returns it; throws a
 * {@link SightglassError} with the rule's code and a message naming `name` and the value given.
 *
 * @example
 * const connections = options.connections === undefined ? 16 : validateInteger(options.connections, 'connections', { code: ErrorCode.INVALID_CONFIG, min: 1 });
 */
export function validateInteger(value: unknown, name: string, rule: NumberRule): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || !withinBounds(value, rule)) {
    throw outOfRule(value, name, rule, 'an integer');
  }
  return value;
}

/**
 * Checks a finite number within the rule's bounds and returns it; throws a {@link SightglassError} with the
 * rule's code and a message naming `name` and the value given. `NaN` and infinities are refused.
 */
export function validateNumber(value: unknown, name: string, rule: NumberRule): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !withinBounds(value, rule)) {
    throw outOfRule(value, name, rule, 'a finite number');
  }
  return value;
}

function withinBounds(value: number, rule: NumberRule): boolean {
  return (
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.max === undefined || value <= rule.max)
  );
}

function outOfRule(value: unknown, name: string, rule: NumberRule, kind: string): SightglassError {
  const bounds = [
    rule.above === undefined ? undefined : `above ${rule.above}`,
    rule.min === undefined ? undefined : `of at least ${rule.min}`,
    rule.max === undefined ? undefined : `of at most ${rule.max}`,
  ].filter((bound) => bound !== undefined);
  const unit = rule.unit === undefined ? '' : ` of ${rule.unit}`;
  const range = bounds.length === 0 ? '' : ` ${bounds.join(' and ')}`;
  return new SightglassError(
    rule.code,
    `${name} must be ${kind}${unit}${range}, got ${describeValue(value)}`,
  );
}

/** The value as a message shows it: strings quoted, so `"10"` (a string) and `10` read apart. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
