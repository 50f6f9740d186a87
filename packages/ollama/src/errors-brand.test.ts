import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';

/** A second copy of this module, as a second installed version of the package (or a bundler's) defines it. */
async function secondCopy(): Promise<typeof errors> {
  // A variable specifier: vite loads the file again under another URL instead of the cached module.
  const specifier = './errors.js?copy=second';
  return (await import(specifier)) as typeof errors;
}

describe('errors are recognized across copies of the package', () => {
  it('instanceof holds for each class and for the base class, with code and fields kept', async () => {
    const copy = await secondCopy();
    expect(copy.TimeoutError).not.toBe(errors.TimeoutError);
    const timeout = new copy.TimeoutError('the call took longer than 100 ms');
    expect(timeout instanceof errors.TimeoutError).toBe(true);
    expect(timeout instanceof errors.OllamaError).toBe(true);
    expect(timeout.code).toBe(errors.OllamaErrorCode.TIMEOUT);
    const response = new copy.ResponseError('model "x" not found', 404);
    expect(response instanceof errors.ResponseError).toBe(true);
    expect(response).toMatchObject({ error: 'model "x" not found', status_code: 404, name: 'ResponseError' });
    expect(new errors.AbortError() instanceof copy.AbortError).toBe(true);
  });

  it('keeps the classes apart, and matches no look-alike', async () => {
    const copy = await secondCopy();
    expect(new copy.TimeoutError('late') instanceof errors.AbortError).toBe(false);
    expect(new copy.OllamaError(errors.OllamaErrorCode.TIMEOUT, 'base') instanceof errors.TimeoutError).toBe(
      false,
    );
    const lookAlike = Object.assign(new Error('late'), {
      name: 'TimeoutError',
      code: 'ERR_SIGHTGLASS_OLLAMA_TIMEOUT',
    });
    expect(lookAlike instanceof errors.OllamaError).toBe(false);
  });
});
