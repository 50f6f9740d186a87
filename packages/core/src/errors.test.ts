import { describe, expect, it, vi } from 'vitest';
import { ErrorCode, MAX_NAME_LENGTH, SightglassError, validateName } from './errors.js';

describe('validateName', () => {
  it('returns a valid name unchanged', () => {
    expect(validateName('ollama', 'Breaker')).toBe('ollama');
  });

  it.each([
    ['not a string', 42, /must be a string, got number/],
    ['empty', '', /must not be empty/],
    ['blank', '   ', /must not be empty/],
    ['too long', 'x'.repeat(MAX_NAME_LENGTH + 1), /at most 64 characters/],
  ])('rejects a name that is %s with a typed error', (_case, name, message) => {
    let thrown: unknown;
    try {
      validateName(name, 'Breaker');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SightglassError);
    expect((thrown as SightglassError).code).toBe(ErrorCode.INVALID_NAME);
    expect((thrown as SightglassError).message).toMatch(message);
  });

  it('keeps the cause of an error', () => {
    const cause = new Error('low level');
    const error = new SightglassError(ErrorCode.INVALID_CONFIG, 'bad', { cause });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('SightglassError');
  });
});

describe('SightglassError across copies of the package', () => {
  /** The built copy, a file apart from this source one: as when two versions are installed side by side. */
  const builtCopy = async () =>
    (await import(new URL('../dist/errors.js', import.meta.url).href)) as typeof import('./errors.js');

  it('is an instance of the class of another copy, both ways, with its code, message and cause', async () => {
    const other = await builtCopy();
    expect(other.SightglassError).not.toBe(SightglassError);
    const cause = new Error('low level');
    const fromOther = new other.SightglassError(other.ErrorCode.DUPLICATE_HEALTH_CHECK, 'taken', { cause });
    const fromThis = new SightglassError(ErrorCode.INVALID_CONFIG, 'bad option');

    expect(fromOther instanceof SightglassError).toBe(true);
    expect(fromThis instanceof other.SightglassError).toBe(true);
    expect(fromOther.code).toBe(ErrorCode.DUPLICATE_HEALTH_CHECK);
    expect(fromOther.name).toBe('SightglassError');
    expect(fromOther.message).toBe('taken');
    expect(fromOther.cause).toBe(cause);
    expect(fromOther instanceof Error).toBe(true);
  });

  it('is recognized from a copy loaded afresh, as a bundler inlining the package would load it', async () => {
    vi.resetModules();
    // A query string makes the module loader evaluate the file once more, as another module.
    const specifier = './errors.js?copy=fresh';
    const fresh = (await import(specifier)) as typeof import('./errors.js');
    expect(fresh.SightglassError).not.toBe(SightglassError);
    let thrown: unknown;
    try {
      fresh.validateName('', 'Breaker');
    } catch (error) {
      thrown = error;
    }
    expect(thrown instanceof SightglassError).toBe(true);
    expect((thrown as SightglassError).code).toBe(ErrorCode.INVALID_NAME);
  });

  it('is not claimed by errors that only look alike', () => {
    const lookalike = Object.assign(new Error('x'), {
      name: 'SightglassError',
      code: ErrorCode.INVALID_CONFIG,
    });
    expect(lookalike instanceof SightglassError).toBe(false);
    const notObjects: unknown[] = [null, 'SightglassError', ErrorCode.INVALID_CONFIG];
    for (const value of notObjects) expect(value instanceof SightglassError).toBe(false);
  });

  it('keeps the brand out of what a log or JSON shows', () => {
    const error = new SightglassError(ErrorCode.INVALID_ARGUMENT, 'bad');
    expect(Object.keys(error)).toEqual(expect.not.arrayContaining([expect.stringContaining('sightglass')]));
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'SightglassError',
      code: ErrorCode.INVALID_ARGUMENT,
    });
  });

  it('leaves a subclass its own prototype check', () => {
    class TimeoutError extends SightglassError {}
    const timeout = new TimeoutError(ErrorCode.CACHE_LOAD_TIMEOUT, 'late');
    const plain = new SightglassError(ErrorCode.CACHE_LOAD_TIMEOUT, 'late');
    expect(timeout instanceof TimeoutError).toBe(true);
    expect(timeout instanceof SightglassError).toBe(true);
    expect(plain instanceof TimeoutError).toBe(false);
  });
});
