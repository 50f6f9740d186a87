import { describe, expect, it } from 'vitest';
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
