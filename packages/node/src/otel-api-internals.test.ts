import {
  context,
  type DiagLogger,
  DiagLogLevel,
  diag,
  metrics,
  propagation,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
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

  it('holds trace, context and propagation registrations under those names, until disable()', () => {
    const manager = {
      active: () => ROOT_CONTEXT,
      with: (_context: unknown, fn: () => unknown) => fn(),
      bind: <T>(_context: unknown, target: T) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    const propagator = { inject() {}, extract: (ctx: never) => ctx, fields: () => [] };
    expect(trace.setGlobalTracerProvider(new TracerProvider())).toBe(true);
    expect(context.setGlobalContextManager(manager as never)).toBe(true);
    expect(propagation.setGlobalPropagator(propagator)).toBe(true);
    expect(apiGlobals()?.trace).toBe(trace.getTracerProvider());
    expect(apiGlobals()?.context).toBe(manager);
    expect(apiGlobals()?.propagation).toBe(propagator);
    trace.disable();
    context.disable();
    propagation.disable();
    expect(apiGlobals()?.trace).toBeUndefined();
    expect(apiGlobals()?.context).toBeUndefined();
    expect(apiGlobals()?.propagation).toBeUndefined();
  });
});
