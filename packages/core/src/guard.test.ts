import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { guard, reportInstrumentationError, resetReportedErrors } from './guard.js';

describe('guard', () => {
  const errors: unknown[][] = [];
  beforeEach(() => {
    resetReportedErrors();
    errors.length = 0;
    const logger = { error: (...args: unknown[]) => errors.push(args) } as unknown as DiagLogger;
    diag.setLogger(
      { ...logger, warn() {}, info() {}, debug() {}, verbose() {} } as DiagLogger,
      DiagLogLevel.ERROR,
    );
  });
  afterEach(() => diag.disable());

  it('returns what the wrapped function returns', () => {
    const add = guard('add', (a: number, b: number) => a + b);
    expect(add(2, 3)).toBe(5);
  });

  it('keeps the caller safe from a throw and reports it once per kind', () => {
    const boom = guard(
      'listener onFailure',
      () => {
        throw new Error('boom');
      },
      'fallback',
    );
    expect(boom()).toBe('fallback');
    expect(boom()).toBe('fallback');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.[0])).toContain('listener onFailure');
  });

  it('turns a rejection into the fallback', async () => {
    const failing = guard('async check', async () => {
      throw new Error('later');
    });
    await expect(failing()).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('passes `this` through', () => {
    const target = {
      factor: 3,
      times: guard('times', function (this: { factor: number }, n: number) {
        return this.factor * n;
      }),
    };
    expect(target.times(2)).toBe(6);
  });

  it('survives a diag logger that throws', () => {
    diag.setLogger(
      {
        error() {
          throw new Error('logger down');
        },
        warn() {},
        info() {},
        debug() {},
        verbose() {},
      },
      DiagLogLevel.ERROR,
    );
    expect(() => reportInstrumentationError('kind', new Error('x'))).not.toThrow();
  });

  it('forgets old kinds rather than growing without bound', () => {
    const spy = vi.spyOn(diag, 'error');
    for (let i = 0; i < 1001; i++) reportInstrumentationError(`kind ${i}`, i);
    reportInstrumentationError('kind 0', 0);
    expect(spy).toHaveBeenCalledTimes(1002);
  });
});
