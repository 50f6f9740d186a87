import { DiagLogLevel } from '@opentelemetry/api';
import { ErrorCode, SightglassError } from '@sightglass/core';
import { DEFAULT_PROMETHEUS_HOST, DEFAULT_PROMETHEUS_PORT, validatePort } from '@sightglass/prometheus';
import type { OtlpProtocol, PrometheusOptions, TelemetryOptions } from './options.js';

/** The exporter names `OTEL_METRICS_EXPORTER` may list. */
export const KNOWN_EXPORTERS = ['prometheus', 'otlp', 'console', 'none'] as const;
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
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
  shutdownTimeoutMs: number;
  /**
   * The level of `OTEL_LOG_LEVEL`, when it is set: `startTelemetry()` then prints OpenTelemetry's diagnostic
   * messages to the console at that level, unless the application registered a diag logger of its own.
   */
  logLevel: DiagLogLevel | undefined;
}

function configError(message: string): SightglassError {
  return new SightglassError(ErrorCode.INVALID_CONFIG, message);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function positiveMs(value: unknown, what: string): number {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) {
    throw configError(
      `${what} must be a positive whole number of milliseconds, got ${JSON.stringify(value)}`,
    );
  }
  return number;
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

/** Parses `key=value,key2=value2` (values URL-encoded) as the OTel spec defines OTLP headers. */
export function parseHeaders(value: string | undefined, variable: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const separator = pair.indexOf('=');
    const key = separator > 0 ? pair.slice(0, separator).trim() : '';
    if (key === '')
      throw configError(`${variable} must be a list of key=value pairs, got ${JSON.stringify(pair)}`);
    try {
      headers[key] = decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      throw configError(`${variable} has a malformed percent-encoding in the value of ${key}`);
    }
  }
  return headers;
}

function parseUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SightglassError(ErrorCode.INVALID_URL, `${what} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SightglassError(
      ErrorCode.INVALID_URL,
      `${what} must be an http:// or https:// URL, got ${url.protocol}`,
    );
  }
  return url;
}

function otlpUrl(
  options: { url?: string },
  protocol: OtlpProtocol,
  env: Record<string, string | undefined>,
): string {
  const signal = nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT);
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const [value, what, isBase] =
    options.url !== undefined
      ? [options.url, 'otlp.url', true]
      : signal !== undefined
        ? [signal, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', false]
        : base !== undefined
          ? [base, 'OTEL_EXPORTER_OTLP_ENDPOINT', true]
          : [protocol === 'grpc' ? 'http://localhost:4317' : 'http://localhost:4318', 'default', true];
  const url = parseUrl(value, what);
  if (protocol !== 'grpc' && isBase && (url.pathname === '/' || url.pathname === ''))
    url.pathname = '/v1/metrics';
  else if (protocol !== 'grpc' && isBase && what === 'OTEL_EXPORTER_OTLP_ENDPOINT') {
    url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/metrics`;
  }
  return url.toString();
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
    const protocol = (given.protocol ??
      nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL) ??
      nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ??
      'http/protobuf') as OtlpProtocol;
    if (!PROTOCOLS.includes(protocol)) {
      throw configError(
        `OTLP protocol must be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`,
      );
    }
    const timeoutMs =
      given.timeoutMs !== undefined
        ? positiveMs(given.timeoutMs, 'otlp.timeoutMs')
        : nonEmpty(env.OTEL_METRIC_EXPORT_TIMEOUT) !== undefined
          ? positiveMs(env.OTEL_METRIC_EXPORT_TIMEOUT, 'OTEL_METRIC_EXPORT_TIMEOUT')
          : 30_000;
    otlp = {
      url: otlpUrl(given, protocol, env),
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
    shutdownTimeoutMs,
    healthMetrics: options.healthMetrics !== false,
    logLevel: logLevelFromEnv(env.OTEL_LOG_LEVEL),
  };
}
