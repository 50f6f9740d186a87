import { ErrorCode } from '@sightglass/core';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import type { TelemetryOptions } from './options.js';
import { propagatorsFromEnv, samplerFromEnv, traceExportersFromEnv } from './trace-config.js';

const tracing = (options: TelemetryOptions, env: Record<string, string> = {}) =>
  resolveConfig({ runtimeMetrics: false, ...options }, env).tracing;

describe('when tracing is on', () => {
  it('is off by default, by tracing: false, and by OTEL_TRACES_EXPORTER=none', () => {
    expect(tracing({})).toBeUndefined();
    expect(tracing({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBeUndefined();
    expect(tracing({}, { OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(tracing({ tracing: false }, { OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined();
  });

  it('is on by OTEL_TRACES_EXPORTER, with the exporters it lists', () => {
    expect(tracing({}, { OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({ console: false, otlp: {} });
    expect(tracing({}, { OTEL_TRACES_EXPORTER: ' Console ' })).toMatchObject({
      console: true,
      otlp: undefined,
    });
    expect(tracing({}, { OTEL_TRACES_EXPORTER: 'otlp,console' })).toMatchObject({ console: true, otlp: {} });
  });

  it('is on by the option, exporting over OTLP unless told otherwise', () => {
    expect(tracing({ tracing: true })).toMatchObject({ console: false, otlp: {} });
    expect(tracing({ tracing: {} })).toMatchObject({ console: false, otlp: {} });
    // The option turns tracing on; which exporters is the variable's unless given.
    expect(tracing({ tracing: true }, { OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({
      console: false,
      otlp: undefined,
    });
    expect(
      tracing({ tracing: { console: true, otlp: false } }, { OTEL_TRACES_EXPORTER: 'otlp' }),
    ).toMatchObject({
      console: true,
      otlp: undefined,
    });
  });

  it('refuses an exporter it does not know, and a tracing option that is not an object', () => {
    expect(() => traceExportersFromEnv('otlp,zipkin')).toThrow(
      expect.objectContaining({
        code: ErrorCode.UNKNOWN_EXPORTER,
        message: expect.stringContaining('zipkin'),
      }),
    );
    expect(() => tracing({ tracing: 'yes' as never })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }),
    );
  });
});

describe('OTLP trace export', () => {
  it('defaults to http/protobuf on localhost:4318/v1/traces, 10 s timeout capped by shutdownTimeoutMs', () => {
    expect(tracing({ tracing: true })?.otlp).toEqual({
      url: 'http://localhost:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      timeoutMs: 5000,
    });
    expect(tracing({ tracing: true, shutdownTimeoutMs: 20_000 })?.otlp?.timeoutMs).toBe(10_000);
    expect(tracing({ tracing: { otlp: { protocol: 'grpc' } } })?.otlp?.url).toBe('http://localhost:4317/');
  });

  it('reads the TRACES_ variables over the general ones, and options over both', () => {
    const env = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=3',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
    };
    expect(tracing({}, env)?.otlp).toEqual({
      url: 'http://collector:4318/base/v1/traces',
      protocol: 'http/json',
      headers: { a: '1', b: '3' },
      timeoutMs: 2000,
    });
    const traces = {
      ...env,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/custom',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '1500',
    };
    expect(tracing({}, traces)?.otlp).toMatchObject({
      url: 'http://tempo:4318/custom',
      protocol: 'grpc',
      timeoutMs: 1500,
    });
    const given = {
      url: 'http://mine:4318',
      protocol: 'http/protobuf',
      headers: { k: 'v' },
      timeoutMs: 900,
    } as const;
    expect(tracing({ tracing: { otlp: given } }, traces)?.otlp).toEqual({
      url: 'http://mine:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: { k: 'v' },
      timeoutMs: 900,
    });
    // Metrics keep their own endpoint.
    expect(resolveConfig({ otlp: {} }, traces).otlp?.url).toBe('http://collector:4318/base/v1/metrics');
  });

  it('caps the export timeout at the batch export timeout', () => {
    expect(tracing({ tracing: { batch: { exportTimeoutMs: 700 } } })?.otlp?.timeoutMs).toBe(700);
  });

  it.each([
    [{ tracing: { otlp: { url: 'ftp://c' } } }, {}, ErrorCode.INVALID_URL],
    [
      {},
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' },
      ErrorCode.INVALID_URL,
    ],
    [{ tracing: { otlp: { protocol: 'udp' as never } } }, {}, ErrorCode.INVALID_CONFIG],
    [
      {},
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift' },
      ErrorCode.INVALID_CONFIG,
    ],
    [
      {},
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'novalue' },
      ErrorCode.INVALID_CONFIG,
    ],
    [{}, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '-1' }, ErrorCode.INVALID_CONFIG],
    [{ tracing: { otlp: { timeoutMs: 0 } } }, {}, ErrorCode.INVALID_CONFIG],
  ] as const)('refuses %j with env %j: %s', (options, env, code) => {
    expect(() => tracing(options as TelemetryOptions, env as Record<string, string>)).toThrow(
      expect.objectContaining({ code }),
    );
  });
});

describe('the sampler', () => {
  it('defaults to parentbased_always_on', () => {
    expect(tracing({ tracing: true })?.sampler).toEqual({
      name: 'parentbased_always_on',
      ratio: 1,
      parentBased: true,
    });
  });

  it.each([
    ['always_on', undefined, { ratio: 1, parentBased: false }],
    ['always_off', '0.5', { ratio: 0, parentBased: false }],
    ['traceidratio', '0.25', { ratio: 0.25, parentBased: false }],
    ['traceidratio', undefined, { ratio: 1, parentBased: false }],
    ['parentbased_always_on', undefined, { ratio: 1, parentBased: true }],
    ['parentbased_always_off', undefined, { ratio: 0, parentBased: true }],
    ['PARENTBASED_TRACEIDRATIO', ' 0.1 ', { ratio: 0.1, parentBased: true }],
  ])('reads OTEL_TRACES_SAMPLER=%s with OTEL_TRACES_SAMPLER_ARG=%s', (sampler, arg, expected) => {
    expect(samplerFromEnv(sampler, arg)).toEqual(expected);
  });

  it('names the sampler as the variable would', () => {
    const env = { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' };
    expect(tracing({ tracing: true }, env)?.sampler.name).toBe('traceidratio');
    expect(tracing({ tracing: { sampleRatio: 0 } })?.sampler.name).toBe('parentbased_always_off');
  });

  it('takes each option over its part of the variables', () => {
    const env = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
    expect(tracing({ tracing: { sampleRatio: 0.5 } }, env)?.sampler).toMatchObject({
      ratio: 0.5,
      parentBased: true,
    });
    expect(tracing({ tracing: { parentBased: false } }, env)?.sampler).toMatchObject({
      ratio: 0.1,
      parentBased: false,
    });
    // Both options given: the variables are not even read.
    expect(
      tracing({ tracing: { sampleRatio: 1, parentBased: true } }, { OTEL_TRACES_SAMPLER: 'jaeger_remote' })
        ?.sampler,
    ).toMatchObject({ ratio: 1, parentBased: true });
  });

  it.each([
    [{}, { OTEL_TRACES_SAMPLER: 'jaeger_remote' }],
    [{}, { OTEL_TRACES_SAMPLER: 'xray' }],
    [{}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }],
    [{}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }],
    [{ sampleRatio: -0.1 }, {}],
    [{ sampleRatio: Number.NaN }, {}],
    [{ parentBased: 'yes' as never }, {}],
  ])('refuses tracing %j with env %j: INVALID_CONFIG', (given, env) => {
    expect(() => tracing({ tracing: given }, env as Record<string, string>)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }),
    );
  });
});

describe('batching', () => {
  it('defaults to the SDK defaults', () => {
    expect(tracing({ tracing: true })?.batch).toEqual({
      scheduleDelayMs: 5000,
      exportTimeoutMs: 30_000,
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
    });
  });

  it('reads OTEL_BSP_*, and takes the options over them', () => {
    const env = {
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_EXPORT_TIMEOUT: '2000',
      OTEL_BSP_MAX_QUEUE_SIZE: '64',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '16',
    };
    expect(tracing({ tracing: true }, env)?.batch).toEqual({
      scheduleDelayMs: 100,
      exportTimeoutMs: 2000,
      maxQueueSize: 64,
      maxExportBatchSize: 16,
    });
    expect(
      tracing({ tracing: { batch: { scheduleDelayMs: 50, maxQueueSize: 32, maxExportBatchSize: 8 } } }, env)
        ?.batch,
    ).toEqual({ scheduleDelayMs: 50, exportTimeoutMs: 2000, maxQueueSize: 32, maxExportBatchSize: 8 });
  });

  it('fits the default batch size into a smaller queue, but refuses a batch size given larger than it', () => {
    expect(tracing({ tracing: { batch: { maxQueueSize: 100 } } })?.batch.maxExportBatchSize).toBe(100);
    expect(() => tracing({ tracing: { batch: { maxQueueSize: 10, maxExportBatchSize: 20 } } })).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_CONFIG,
        message: expect.stringContaining('at most'),
      }),
    );
  });

  it.each([
    [{ OTEL_BSP_SCHEDULE_DELAY: 'soon' }],
    [{ OTEL_BSP_EXPORT_TIMEOUT: '0' }],
    [{ OTEL_BSP_MAX_QUEUE_SIZE: '1.5' }],
    [{ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '-3' }],
  ])('refuses %j: INVALID_CONFIG naming the variable', (env) => {
    expect(() => tracing({ tracing: true }, env)).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_CONFIG,
        message: expect.stringContaining(Object.keys(env)[0]!),
      }),
    );
  });

  it('refuses a batch option that is not a positive whole number', () => {
    expect(() => tracing({ tracing: { batch: { maxQueueSize: 0 } } })).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_CONFIG,
        message: expect.stringContaining('tracing.batch'),
      }),
    );
  });
});

describe('propagators', () => {
  it('default to tracecontext and baggage', () => {
    expect(tracing({ tracing: true })).toMatchObject({
      propagators: ['tracecontext', 'baggage'],
      ignoredPropagators: [],
    });
  });

  it('follow OTEL_PROPAGATORS, setting aside the ones Sightglass does not install', () => {
    expect(propagatorsFromEnv('tracecontext')).toEqual({ propagators: ['tracecontext'], ignored: [] });
    expect(propagatorsFromEnv('b3, baggage,jaeger,b3')).toEqual({
      propagators: ['baggage'],
      ignored: ['b3', 'jaeger'],
    });
    expect(propagatorsFromEnv('none')).toEqual({ propagators: [], ignored: [] });
  });

  it('take the option over the variable, and refuse a name the option type does not allow', () => {
    expect(tracing({ tracing: { propagators: [] } }, { OTEL_PROPAGATORS: 'b3' })).toMatchObject({
      propagators: [],
      ignoredPropagators: [],
    });
    expect(() => tracing({ tracing: { propagators: ['b3' as never] } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }),
    );
    expect(() => tracing({ tracing: { propagators: 'tracecontext' as never } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }),
    );
  });
});
