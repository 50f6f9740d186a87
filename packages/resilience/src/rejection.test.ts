import { describe, expect, it } from 'vitest';
import { isCircuitRejection } from './rejection.js';
import { COCKATIEL_VERSIONS } from './test-support/cockatiel-versions.js';

describe.each(COCKATIEL_VERSIONS)('isCircuitRejection with %s', (_version, cockatiel) => {
  it('recognises the breaker rejections and nothing else', () => {
    expect(isCircuitRejection(new cockatiel.BrokenCircuitError())).toBe(true);
    expect(isCircuitRejection(new cockatiel.IsolatedCircuitError())).toBe(true);
    expect(isCircuitRejection(new cockatiel.BulkheadRejectedError(1, 1))).toBe(false);
    expect(isCircuitRejection(new cockatiel.TaskCancelledError())).toBe(false);
    expect(isCircuitRejection(new Error('x'))).toBe(false);
    expect(isCircuitRejection(undefined)).toBe(false);
  });
});
