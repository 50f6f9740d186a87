import { type DiagLogger, DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { apiGlobals } from './api-globals.js';
import { resolvePackage } from './peers.js';

afterEach(() => {
  diag.disable();
  metrics.disable();
});

const silent: DiagLogger = { error() {}, warn() {}, info() {}, debug() {}, verbose() {} };

describe('the @opentelemetry/api internal api-globals.ts reads (canary)', () => {
  it('holds the registering copy version and the diag logger, and drops the logger on disable()', () => {
    diag.setLogger(silent, DiagLogLevel.ERROR);
    expect(apiGlobals()?.version).toBe(resolvePackage('@opentelemetry/api')?.version);
    expect(apiGlobals()?.diag).toBeDefined();
    diag.disable();
    expect(apiGlobals()?.diag).toBeUndefined();
  });

  it('is where a global MeterProvider registration lands', () => {
    expect(metrics.setGlobalMeterProvider(new MeterProvider())).toBe(true);
    expect(apiGlobals()?.version).toMatch(/^1\./);
  });
});
