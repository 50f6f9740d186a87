import { describe, expect, it } from 'vitest';
import { ErrorCode, SightglassError } from './errors.js';
import { numberedName } from './numbered-name.js';
import { validateInteger, validateNumber } from './validate-number.js';

const CONFIG = ErrorCode.INVALID_CONFIG;
const ARGUMENT = ErrorCode.INVALID_ARGUMENT;

function thrownBy(fn: () => unknown): SightglassError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SightglassError);
    return error as SightglassError;
  }
  throw new Error('expected a throw');
}

describe('validateInteger', () => {
  it('returns an integer within the bounds unchanged', () => {
    expect(validateInteger(1, 'connections', { code: CONFIG, min: 1 })).toBe(1);
    expect(validateInteger(0, 'retries', { code: CONFIG, min: 0, max: 5 })).toBe(0);
    expect(validateInteger(5, 'retries', { code: CONFIG, min: 0, max: 5 })).toBe(5);
    expect(validateInteger(-3, 'offset', { code: CONFIG })).toBe(-3);
  });

  it.each([
    ['NaN', Number.NaN, 'got NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'got Infinity'],
    ['a fraction', 1.5, 'got 1.5'],
    ['a string of digits', '10', 'got "10"'],
    ['below the minimum', 0, 'got 0'],
    ['above the maximum', 11, 'got 11'],
    ['beyond the safe integers', 2 ** 60, `got ${2 ** 60}`],
    ['undefined', undefined, 'got undefined'],
    ['null', null, 'got null'],
    ['an object', { value: 1 }, 'got an object'],
  ])('refuses %s, naming the option and the value', (_case, value, got) => {
    const error = thrownBy(() => validateInteger(value, 'connections', { code: CONFIG, min: 1, max: 10 }));
    expect(error.code).toBe(CONFIG);
    expect(error.message).toBe(`connections must be an integer of at least 1 and of at most 10, ${got}`);
  });

  it('throws the code the caller chose', () => {
    const error = thrownBy(() => validateInteger(0, 'warm concurrency', { code: ARGUMENT, min: 1 }));
    expect(error.code).toBe(ARGUMENT);
    expect(error.message).toBe('warm concurrency must be an integer of at least 1, got 0');
  });

  it('names the unit', () => {
    const error = thrownBy(() =>
      validateInteger(-1, 'bodyTimeout', { code: CONFIG, min: 0, unit: 'milliseconds' }),
    );
    expect(error.message).toBe('bodyTimeout must be an integer of milliseconds of at least 0, got -1');
  });
});

describe('validateNumber', () => {
  it('returns a finite number within the bounds unchanged, fractions included', () => {
    expect(validateNumber(0.25, 'ratio', { code: CONFIG, min: 0, max: 1 })).toBe(0.25);
    expect(validateNumber(0, 'maxAgeMs', { code: ARGUMENT, min: 0 })).toBe(0);
    expect(validateNumber(Number.MAX_VALUE, 'big', { code: CONFIG })).toBe(Number.MAX_VALUE);
  });

  it.each([
    ['NaN', Number.NaN, 'got NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'got Infinity'],
    ['-Infinity', Number.NEGATIVE_INFINITY, 'got -Infinity'],
    ['a string', '5', 'got "5"'],
    ['a function', () => 5, 'got a function'],
    ['an array', [5], 'got an array'],
    ['a bigint', 5n, 'got 5'],
    ['the excluded bound', 0, 'got 0'],
    ['below it', -1, 'got -1'],
  ])('refuses %s, naming the option and the value', (_case, value, got) => {
    const error = thrownBy(() =>
      validateNumber(value, 'ttlMs', { code: CONFIG, above: 0, unit: 'milliseconds' }),
    );
    expect(error.code).toBe(CONFIG);
    expect(error.message).toBe(`ttlMs must be a finite number of milliseconds above 0, ${got}`);
  });

  it('checks an inclusive maximum', () => {
    expect(validateNumber(1, 'ratio', { code: CONFIG, min: 0, max: 1 })).toBe(1);
    const error = thrownBy(() => validateNumber(1.01, 'ratio', { code: ARGUMENT, min: 0, max: 1 }));
    expect(error.code).toBe(ARGUMENT);
    expect(error.message).toBe('ratio must be a finite number of at least 0 and of at most 1, got 1.01');
  });
});

describe('numberedName', () => {
  it('keeps the first name and numbers the next ones', () => {
    expect(numberedName('ollama', 1)).toBe('ollama');
    expect(numberedName('ollama', 2)).toBe('ollama_2');
    expect(numberedName('ollama', 12)).toBe('ollama_12');
  });

  it('shortens a long name so the numbered one stays a valid name', () => {
    const long = 'x'.repeat(64);
    expect(numberedName(long, 1)).toBe(long);
    expect(numberedName(long, 3)).toBe(`${'x'.repeat(62)}_3`);
    expect(numberedName(long, 3)).toHaveLength(64);
  });
});
