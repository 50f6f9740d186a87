import { DiagLogLevel } from '@opentelemetry/api';
import { ErrorCode } from '@sightglass/core';
import { describe, expect, it } from 'vitest';
import { exportersFromEnv, logLevelFromEnv, parseHeaders, resolveConfig } from './config.js';

const noEnv = {};

describe('resolveConfig defaults', () => {
  it('serves Prometheus on 127.0.0.1:9464 with runtime metrics when nothing is configured', () => {
    expect(resolveConfig({}, noEnv)).toEqual({
      serviceName: undefined,
      prometheus: { host: '127.0.0.1', port: 9464, server: true },
      otlp: undefined,
      console: undefined,
      runtimeMetrics: { precisionMs: 10 },
      shutdownTimeoutMs: 5000,
      healthMetrics: true,
    });
  });

  it('uses OTLP over http/protobuf to localhost:4318, beside Prometheus, with the spec defaults', () => {
    const config = resolveConfig({ otlp: {}, shutdownTimeoutMs: 60_000 }, noEnv);
    expect(config.otlp).toEqual({
      url: 'http://localhost:4318/v1/metrics',
      protocol: 'http/protobuf',
      headers: {},
      intervalMs: 60_000,
      timeoutMs: 30_000,
    });
    expect(config.prometheus).toBeDefined();
    expect(resolveConfig({ otlp: {}, prometheus: false }, noEnv).prometheus).toBeUndefined();
  });

  it('keeps an export from outliving shutdown(): the export timeout is at most the shutdown timeout', () => {
    expect(resolveConfig({ otlp: {} }, noEnv).otlp?.timeoutMs).toBe(5000);
    expect(resolveConfig({ otlp: { timeoutMs: 2000 }, shutdownTimeoutMs: 8000 }, noEnv).otlp?.timeoutMs).toBe(
      2000,
    );
  });
});

describe('resolveConfig from OTEL_* environment variables', () => {
  it('follows OTEL_METRICS_EXPORTER, OTEL_SERVICE_NAME and the Prometheus host and port', () => {
    const config = resolveConfig(
      {},
      {
        OTEL_METRICS_EXPORTER: 'prometheus, otlp,console',
        OTEL_SERVICE_NAME: 'gateway',
        OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
        OTEL_EXPORTER_PROMETHEUS_PORT: '9100',
        OTEL_METRIC_EXPORT_INTERVAL: '5000',
      },
    );
    expect(config.serviceName).toBe('gateway');
    expect(config.prometheus).toMatchObject({ host: '0.0.0.0', port: 9100 });
    expect(config.otlp).toMatchObject({ intervalMs: 5000, timeoutMs: 5000 });
    expect(config.console).toEqual({ intervalMs: 5000 });
  });

  it('turns every exporter off with none', () => {
    const config = resolveConfig({}, { OTEL_METRICS_EXPORTER: 'none' });
    expect([config.prometheus, config.otlp, config.console]).toEqual([undefined, undefined, undefined]);
  });

  it('appends /v1/metrics to the generic endpoint but takes the metrics endpoint as it is', () => {
    const env = { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318/otel' };
    expect(resolveConfig({}, env).otlp?.url).toBe('https://collector:4318/otel/v1/metrics');
    expect(
      resolveConfig({}, { ...env, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://other:9000/custom' }).otlp
        ?.url,
    ).toBe('http://other:9000/custom');
    expect(resolveConfig({ otlp: { url: 'http://c:4318' } }, noEnv).otlp?.url).toBe(
      'http://c:4318/v1/metrics',
    );
    expect(resolveConfig({ otlp: { url: 'http://c:4318/in' } }, noEnv).otlp?.url).toBe('http://c:4318/in');
  });

  it('leaves gRPC endpoints without a path and defaults them to port 4317', () => {
    expect(resolveConfig({ otlp: { protocol: 'grpc' } }, noEnv).otlp?.url).toBe('http://localhost:4317/');
    const env = { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317' };
    expect(resolveConfig({ otlp: {} }, env).otlp).toMatchObject({ protocol: 'grpc', url: 'http://c:4317/' });
  });

  it('merges OTLP headers, the metrics-specific ones winning, and decodes them', () => {
    const env = {
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%20def,tenant=a',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'tenant=b',
    };
    expect(resolveConfig({ otlp: {} }, env).otlp?.headers).toEqual({ 'api-key': 'abc def', tenant: 'b' });
  });

  it('lets explicit options win over the environment', () => {
    const env = {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_EXPORTER_PROMETHEUS_PORT: '9100',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    };
    const config = resolveConfig({ serviceName: 'from-code', prometheus: { port: 0 } }, env);
    expect(config.serviceName).toBe('from-code');
    expect(config.prometheus?.port).toBe(0); // on by its option, though OTEL_METRICS_EXPORTER says otlp
    expect(config.otlp?.protocol).toBe('grpc'); // on by the environment, as its option is not given
  });

  it('turns each exporter on or off by its own option, else by OTEL_METRICS_EXPORTER', () => {
    const env = { OTEL_METRICS_EXPORTER: 'otlp,console' };
    const config = resolveConfig({ prometheus: false, console: false }, env);
    expect([config.prometheus, config.otlp !== undefined, config.console]).toEqual([
      undefined,
      true,
      undefined,
    ]);
    const none = resolveConfig(
      { prometheus: false, otlp: false, console: false },
      { OTEL_METRICS_EXPORTER: 'bogus' },
    );
    expect([none.prometheus, none.otlp, none.console]).toEqual([undefined, undefined, undefined]); // env not read
  });

  it('caps the export timeout at the interval, as the periodic reader requires', () => {
    expect(resolveConfig({ otlp: { intervalMs: 1000, timeoutMs: 5000 } }, noEnv).otlp?.timeoutMs).toBe(1000);
  });
});

describe('resolveConfig rejects bad configuration with a stable code and what to change', () => {
  it.each([
    [
      { prometheus: { port: 70000 } },
      noEnv,
      ErrorCode.INVALID_PORT,
      /prometheus.port must be an integer from 0 to 65535/,
    ],
    [{ prometheus: { port: 1.5 } }, noEnv, ErrorCode.INVALID_PORT, /got 1.5/],
    [{}, { OTEL_EXPORTER_PROMETHEUS_PORT: 'http' }, ErrorCode.INVALID_PORT, /OTEL_EXPORTER_PROMETHEUS_PORT/],
    [{}, { OTEL_EXPORTER_PROMETHEUS_PORT: '99999' }, ErrorCode.INVALID_PORT, /OTEL_EXPORTER_PROMETHEUS_PORT/],
    [
      {},
      { OTEL_METRICS_EXPORTER: 'prometheus,jaeger' },
      ErrorCode.UNKNOWN_EXPORTER,
      /"jaeger"; Sightglass knows prometheus, otlp, console, none/,
    ],
    [{ otlp: { url: 'collector:4318' } }, noEnv, ErrorCode.INVALID_URL, /otlp.url must be an http/],
    [{ otlp: { url: 'not a url' } }, noEnv, ErrorCode.INVALID_URL, /otlp.url is not a URL/],
    [
      {},
      { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: '::' },
      ErrorCode.INVALID_URL,
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    ],
    [{ otlp: { protocol: 'udp' as never } }, noEnv, ErrorCode.INVALID_CONFIG, /OTLP protocol must be one of/],
    [
      { otlp: {} },
      { OTEL_METRIC_EXPORT_INTERVAL: 'soon' },
      ErrorCode.INVALID_CONFIG,
      /OTEL_METRIC_EXPORT_INTERVAL/,
    ],
    [{ otlp: { intervalMs: 0 } }, noEnv, ErrorCode.INVALID_CONFIG, /otlp.intervalMs must be an integer/],
    [{ otlp: { timeoutMs: -1 } }, noEnv, ErrorCode.INVALID_CONFIG, /otlp.timeoutMs/],
    [
      { otlp: {} },
      { OTEL_METRIC_EXPORT_TIMEOUT: '1e3' },
      ErrorCode.INVALID_CONFIG,
      /OTEL_METRIC_EXPORT_TIMEOUT/,
    ],
    [{ otlp: {} }, { OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }, ErrorCode.INVALID_CONFIG, /key=value pairs/],
    [
      { otlp: {} },
      { OTEL_EXPORTER_OTLP_HEADERS: 'k=%E0%A4%A' },
      ErrorCode.INVALID_CONFIG,
      /percent-encoding/,
    ],
    [{ shutdownTimeoutMs: 0 }, noEnv, ErrorCode.INVALID_CONFIG, /shutdownTimeoutMs/],
    [{ runtimeMetrics: { precisionMs: 0 } }, noEnv, ErrorCode.INVALID_CONFIG, /runtimeMetrics.precisionMs/],
  ])('%j with %j', (options, env, code, message) => {
    expect(() => resolveConfig(options, env)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });
});

describe('small parsers', () => {
  it('reads exporter lists case-insensitively and ignores empty entries', () => {
    expect([...exportersFromEnv(' OTLP,,Console ')]).toEqual(['otlp', 'console']);
    expect([...exportersFromEnv(undefined)]).toEqual(['prometheus']);
  });

  it('parses an empty header list to nothing', () => {
    expect(parseHeaders('', 'X')).toEqual({});
    expect(parseHeaders(' a = b ', 'X')).toEqual({ a: 'b' });
  });

  it('lets console be switched on and off by option', () => {
    expect(resolveConfig({ console: true, prometheus: false }, noEnv).console).toEqual({
      intervalMs: 60_000,
    });
    expect(resolveConfig({ console: false }, { OTEL_METRICS_EXPORTER: 'console' }).console).toBeUndefined();
    expect(resolveConfig({ runtimeMetrics: false }, noEnv).runtimeMetrics).toBeUndefined();
  });
});

describe('OTEL_LOG_LEVEL', () => {
  it.each([
    ['NONE', DiagLogLevel.NONE],
    ['ERROR', DiagLogLevel.ERROR],
    ['WARN', DiagLogLevel.WARN],
    ['INFO', DiagLogLevel.INFO],
    ['DEBUG', DiagLogLevel.DEBUG],
    ['VERBOSE', DiagLogLevel.VERBOSE],
    ['ALL', DiagLogLevel.ALL],
  ])('reads %s in any case', (name, level) => {
    expect(logLevelFromEnv(name)).toBe(level);
    expect(logLevelFromEnv(name.toLowerCase())).toBe(level);
    expect(logLevelFromEnv(` ${name[0]}${name.slice(1).toLowerCase()} `)).toBe(level);
  });

  it('leaves the diag logger alone when unset or empty, as NodeSDK does', () => {
    expect(logLevelFromEnv(undefined)).toBeUndefined();
    expect(logLevelFromEnv('  ')).toBeUndefined();
    expect(resolveConfig({}, noEnv).logLevel).toBeUndefined();
  });

  it('comes from the environment resolveConfig reads', () => {
    expect(resolveConfig({}, { OTEL_LOG_LEVEL: 'warn' }).logLevel).toBe(DiagLogLevel.WARN);
    expect(resolveConfig({ env: { OTEL_LOG_LEVEL: 'debug' } }).logLevel).toBe(DiagLogLevel.DEBUG);
  });

  it.each([
    'warning',
    'trace',
    '3',
    'info,debug',
  ])('refuses %j with ERR_SIGHTGLASS_INVALID_CONFIG naming the values it takes', (value) => {
    expect(() => resolveConfig({}, { OTEL_LOG_LEVEL: value })).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_CONFIG,
        message: expect.stringMatching(
          new RegExp(
            `^OTEL_LOG_LEVEL must be one of NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL .*${value}`,
          ),
        ),
      }),
    );
  });
});
