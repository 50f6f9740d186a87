/**
 * Canary of otel-api-internals.ts: where `@opentelemetry/api` keeps what was registered. A failure means the
 * API moved its globals: the diag logger, version checks and tracing set-up of @sightglass/node read them.
 * Read otel-api-internals.ts and docs/upstream-internals.md.
 */
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
import { apiGlobals } from './otel-api-internals.js';
import { resolvePackage } from './peers.js';

afterEach(() => {
  diag.disable();
  metrics.disable();
});

const API = `@opentelemetry/api ${resolvePackage('@opentelemetry/api')?.version}`;
const MOVED = `${API} keeps its registrations elsewhere than otel-api-internals.ts reads them`;

const silent: DiagLogger = { error() {}, warn() {}, info() {}, debug() {}, verbose() {} };

describe(`the ${API} internal otel-api-internals.ts reads (canary)`, () => {
  it('holds the registering copy version and the diag logger, and drops the logger on disable()', () => {
    diag.setLogger(silent, DiagLogLevel.ERROR);
    expect(apiGlobals()?.version, MOVED).toBe(resolvePackage('@opentelemetry/api')?.version);
    expect(apiGlobals()?.diag, MOVED).toBeDefined();
    diag.disable();
    expect(apiGlobals()?.diag, MOVED).toBeUndefined();
  });

  it('is where a global MeterProvider registration lands', () => {
    expect(metrics.setGlobalMeterProvider(new MeterProvider())).toBe(true);
    expect(apiGlobals()?.version, MOVED).toMatch(/^1\./);
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
    expect(apiGlobals()?.trace, MOVED).toBe(trace.getTracerProvider());
    expect(apiGlobals()?.context, MOVED).toBe(manager);
    expect(apiGlobals()?.propagation, MOVED).toBe(propagator);
    trace.disable();
    context.disable();
    propagation.disable();
    expect(apiGlobals()?.trace, MOVED).toBeUndefined();
    expect(apiGlobals()?.context, MOVED).toBeUndefined();
    expect(apiGlobals()?.propagation, MOVED).toBeUndefined();
  });
});
