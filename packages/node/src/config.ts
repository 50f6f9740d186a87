import { DiagLogLevel } from '@opentelemetry/api';
import { ErrorCode, SightglassError } from '@sightglass/core';
import { DEFAULT_PROMETHEUS_HOST, DEFAULT_PROMETHEUS_PORT } from '@sightglass/prometheus';
import { validatePort } from '@sightglass/prometheus/internal';
import { configError, nonEmpty, otlpProtocol, otlpUrl, parseHeaders, positiveMs } from './config-values.js';
import type { OtlpProtocol, PrometheusOptions, TelemetryOptions } from './options.js';
import { type ResolvedTracingConfig, resolveTracingConfig } from './trace-config.js';

export { parseHeaders } from './config-values.js';

/** The exporter names `OTEL_METRICS_EXPORTER` may list. */
export const KNOWN_EXPORTERS = ['prometheus', 'otlp', 'console', 'none'] as const;
/** The values `OTEL_LOG_LEVEL` may take (any case), as NodeSDK and `diagLogLevelFromString()` of @opentelemetry/core read them. */
const LOG_LEVELS = new Map<string, DiagLogLevel>([
  ['NONE', DiagLogLevel.NONE],
  ['ERROR', DiagLogLevel.ERROR],
  ['WARN', DiagLogLevel.WARN],
  ['INFO', DiagLogLevel.INFO],
  ['DEBUG', DiagLogLevel.DEBUG],
  ['VERBOSE', DiagLogLevel.VERBOSE],
  ['ALL', DiagLogLevel.ALL],
]);

/** Options with every default and environment variable applied, and every value checked. */
export interface ResolvedConfig {
  serviceName: string | undefined;
  prometheus:
    | (Omit<PrometheusOptions, 'host' | 'port' | 'server'> & { host: string; port: number; server: boolean })
    | undefined;
  healthMetrics: boolean;
  otlp:
    | {
        url: string;
        protocol: OtlpProtocol;
        headers: Record<string, string>;
        intervalMs: number;
        timeoutMs: number;
      }
    | undefined;
  console: { intervalMs: number } | undefined;
  runtimeMetrics: { precisionMs: number } | undefined;
  /** Tracing, when it is on (`tracing` option, else `OTEL_TRACES_EXPORTER`). */
  tracing: ResolvedTracingConfig | undefined;
  shutdownTimeoutMs: number;
  /**
   * The level of `OTEL_LOG_LEVEL`, when it is set: `startTelemetry()` then prints OpenTelemetry's diagnostic
   * messages to the console at that level, unless the application registered a diag logger of its own.
   */
  logLevel: DiagLogLevel | undefined;
}

function portFrom(value: number | undefined, envValue: string | undefined): number {
  if (value !== undefined) return validatePort(value, 'prometheus.port');
  const raw = nonEmpty(envValue);
  if (raw === undefined) return DEFAULT_PROMETHEUS_PORT;
  if (!/^\d+$/.test(raw)) {
    throw new SightglassError(
      ErrorCode.INVALID_PORT,
      `OTEL_EXPORTER_PROMETHEUS_PORT must be an integer from 0 to 65535, got ${JSON.stringify(raw)}`,
    );
  }
  return validatePort(Number(raw), 'OTEL_EXPORTER_PROMETHEUS_PORT');
}

/** The exporters `OTEL_METRICS_EXPORTER` asks for (default `prometheus`). */
export function exportersFromEnv(value: string | undefined): Set<string> {
  const names = (nonEmpty(value) ?? 'prometheus')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  for (const name of names) {
    if (!(KNOWN_EXPORTERS as readonly string[]).includes(name)) {
      throw new SightglassError(
        ErrorCode.UNKNOWN_EXPORTER,
        `OTEL_METRICS_EXPORTER names "${name}"; Sightglass knows ${KNOWN_EXPORTERS.join(', ')}`,
      );
    }
  }
  return new Set(names.filter((name) => name !== 'none'));
}

/**
 * The diag level `OTEL_LOG_LEVEL` names (`NONE`, `ERROR`, `WARN`, `INFO`, `DEBUG`, `VERBOSE`, `ALL`, in any
 * case), or `undefined` when it is not set or empty.
 *
 * @throws SightglassError `ERR_SIGHTGLASS_INVALID_CONFIG` for any other value. (NodeSDK falls back to `INFO`
 *   with a warning that no logger is installed yet to print; Sightglass refuses it, as it does an unknown
 *   `OTEL_METRICS_EXPORTER`.)
 */
export function logLevelFromEnv(value: string | undefined): DiagLogLevel | undefined {
  const raw = nonEmpty(value);
  if (raw === undefined) return undefined;
  const level = LOG_LEVELS.get(raw.toUpperCase());
  if (level === undefined) {
    throw configError(
      `OTEL_LOG_LEVEL must be one of ${[...LOG_LEVELS.keys()].join(', ')} (any case), got ${JSON.stringify(raw)}`,
    );
  }
  return level;
}

/**
 * Applies defaults and `OTEL_*` environment variables to the options and checks every value. Explicit
 * options win over the environment. Throws a {@link SightglassError} that says what to change.
 */
export function resolveConfig(
  options: TelemetryOptions = {},
  env = options.env ?? process.env,
): ResolvedConfig {
  // Each exporter is on or off by its own option when given, else by OTEL_METRICS_EXPORTER (default
  // `prometheus`): `{ otlp: {...} }` adds OTLP beside Prometheus; `prometheus: false` turns Prometheus off.
  const needsEnv =
    options.prometheus === undefined || options.otlp === undefined || options.console === undefined;
  const fromEnv = needsEnv ? exportersFromEnv(env.OTEL_METRICS_EXPORTER) : new Set<string>();
  const enabled = (name: string, option: object | boolean | undefined): boolean =>
    option === undefined ? fromEnv.has(name) : option !== false;
  const exporters = new Set<string>();
  if (enabled('prometheus', options.prometheus)) exporters.add('prometheus');
  if (enabled('otlp', options.otlp)) exporters.add('otlp');
  if (enabled('console', options.console)) exporters.add('console');
  const shutdownTimeoutMs = positiveMs(options.shutdownTimeoutMs ?? 5000, 'shutdownTimeoutMs');

  const intervalMs =
    (options.otlp && options.otlp.intervalMs !== undefined
      ? positiveMs(options.otlp.intervalMs, 'otlp.intervalMs')
      : undefined) ??
    (nonEmpty(env.OTEL_METRIC_EXPORT_INTERVAL) !== undefined
      ? positiveMs(env.OTEL_METRIC_EXPORT_INTERVAL, 'OTEL_METRIC_EXPORT_INTERVAL')
      : 60_000);

  let prometheus: ResolvedConfig['prometheus'];
  if (exporters.has('prometheus')) {
    const { host, port, server, ...readerOptions } = options.prometheus || {};
    prometheus = {
      ...readerOptions,
      host: nonEmpty(host) ?? nonEmpty(env.OTEL_EXPORTER_PROMETHEUS_HOST) ?? DEFAULT_PROMETHEUS_HOST,
      port: portFrom(port, env.OTEL_EXPORTER_PROMETHEUS_PORT),
      server: server !== false,
    };
  }

  let otlp: ResolvedConfig['otlp'];
  if (exporters.has('otlp')) {
    const given = options.otlp || {};
    const protocol = otlpProtocol(
      given.protocol ??
        nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL) ??
        nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ??
        'http/protobuf',
      given.protocol !== undefined ? 'otlp.protocol' : 'OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL',
    );
    const timeoutMs =
      given.timeoutMs !== undefined
        ? positiveMs(given.timeoutMs, 'otlp.timeoutMs')
        : nonEmpty(env.OTEL_METRIC_EXPORT_TIMEOUT) !== undefined
          ? positiveMs(env.OTEL_METRIC_EXPORT_TIMEOUT, 'OTEL_METRIC_EXPORT_TIMEOUT')
          : 30_000;
    otlp = {
      url: otlpUrl(given.url, 'otlp.url', protocol, 'metrics', env),
      protocol,
      headers: given.headers ?? {
        ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS'),
        ...parseHeaders(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS, 'OTEL_EXPORTER_OTLP_METRICS_HEADERS'),
      },
      intervalMs,
      // The periodic reader refuses a timeout longer than its interval; and an export must not outlive
      // shutdown(), or a hanging collector would hold the process open after shutdown() returned.
      timeoutMs: Math.min(timeoutMs, intervalMs, shutdownTimeoutMs),
    };
  }

  const runtime = options.runtimeMetrics ?? true;
  return {
    serviceName: nonEmpty(options.serviceName) ?? nonEmpty(env.OTEL_SERVICE_NAME),
    prometheus,
    otlp,
    console: exporters.has('console') ? { intervalMs } : undefined,
    runtimeMetrics:
      runtime === false
        ? undefined
        : {
            precisionMs: positiveMs(
              (runtime === true ? undefined : runtime.precisionMs) ?? 10,
              'runtimeMetrics.precisionMs',
            ),
          },
    tracing: resolveTracingConfig(options, env, shutdownTimeoutMs),
    shutdownTimeoutMs,
    healthMetrics: options.healthMetrics !== false,
    logLevel: logLevelFromEnv(env.OTEL_LOG_LEVEL),
  };
}
