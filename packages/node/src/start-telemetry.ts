import { diag, metrics } from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  type IMetricReader,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  ErrorCode,
  metricRegistry,
  reportInstrumentationError,
  SightglassError,
  startHealthStatusMetrics,
} from '@sightglass/core';
import {
  createPrometheusReader,
  type MetricsServer,
  type PrometheusReader,
  setDefaultPrometheusReader,
  startMetricsServer,
} from '@sightglass/prometheus';
import { type ResolvedConfig, resolveConfig } from './config.js';
import { installDiagLogger } from './diag-logger.js';
import { withExportReporting } from './export-reporting.js';
import type { TelemetryOptions } from './options.js';
import { createOtlpExporter } from './otlp.js';
import { checkOpenTelemetryVersions, versionFacts } from './peers.js';
import { sightglassMetricProducer } from './producer.js';
import { loadRuntimeMetrics, startRuntimeMetrics } from './runtime.js';
import { sightglassViews } from './views.js';

/** What `startTelemetry()` started. */
export interface Telemetry {
  /** The MeterProvider, also registered globally unless `global: false`. */
  readonly meterProvider: MeterProvider;
  /** The Prometheus reader, when Prometheus is enabled: hand it to the handlers of @sightglass/prometheus. */
  readonly prometheusReader: PrometheusReader | undefined;
  /** The standalone metrics server, when it was started. `metricsServer.url` is what Prometheus scrapes. */
  readonly metricsServer: MetricsServer | undefined;
  /** The configuration in force after defaults and environment variables. */
  readonly config: ResolvedConfig;
  /** Exports what push readers (OTLP, console) hold now. Resolves within the shutdown timeout; never rejects. */
  forceFlush(): Promise<void>;
  /** Flushes, stops every reader and the server, and unregisters the provider. Within the timeout; never rejects. */
  shutdown(): Promise<void>;
}

const ACTIVE_KEY = Symbol.for('@sightglass/node/active-telemetry@1');
type Holder = { [ACTIVE_KEY]?: Telemetry | 'starting' };

/**
 * Starts OpenTelemetry metrics for the process: a MeterProvider with Sightglass's views, the readers asked
 * for (Prometheus, OTLP, console), runtime metrics, and the producer that reports Sightglass's counters and
 * gauges. Call it once at start-up, before the application starts serving.
 *
 * With `OTEL_LOG_LEVEL` set, OpenTelemetry's diagnostic messages go to the console at that level, as with
 * NodeSDK, unless the application registered a diag logger of its own (which is kept). Export failures are
 * logged once per kind, and their recovery once.
 *
 * @example
 * const telemetry = await startTelemetry({ serviceName: 'llm-gateway' });
 * // Prometheus scrapes telemetry.metricsServer.url
 * process.on('SIGTERM', () => telemetry.shutdown());
 *
 * @throws SightglassError with a stable `code` for bad options or environment variables
 *   (`ERR_SIGHTGLASS_INVALID_PORT`, `ERR_SIGHTGLASS_UNKNOWN_EXPORTER`, `ERR_SIGHTGLASS_INVALID_URL`,
 *   `ERR_SIGHTGLASS_INVALID_CONFIG` for an unknown `OTEL_LOG_LEVEL`, ...), a
 *   metrics port already in use (`ERR_SIGHTGLASS_PORT_IN_USE`), a second start (`ERR_SIGHTGLASS_ALREADY_STARTED`),
 *   OpenTelemetry packages that cannot work together (`ERR_SIGHTGLASS_INCOMPATIBLE_VERSIONS`), or an OTLP
 *   exporter that is not installed (`ERR_SIGHTGLASS_MISSING_DEPENDENCY`).
 */
export async function startTelemetry(options: TelemetryOptions = {}): Promise<Telemetry> {
  const holder = globalThis as Holder;
  if (holder[ACTIVE_KEY] !== undefined) {
    throw new SightglassError(
      ErrorCode.ALREADY_STARTED,
      'startTelemetry() was already called in this process: call shutdown() on the first one before starting again',
    );
  }
  const config = resolveConfig(options);
  // Before anything is registered: a global the application's API would refuse is never set.
  for (const warning of checkOpenTelemetryVersions(versionFacts(), options.global !== false)) {
    process.emitWarning(`sightglass: ${warning}`, { code: 'SIGHTGLASS_OPENTELEMETRY_VERSIONS' });
  }
  holder[ACTIVE_KEY] = 'starting';
  // First, so that what starting reports through diag is printed too.
  const removeDiagLogger = config.logLevel === undefined ? () => {} : installDiagLogger(config.logLevel);
  try {
    const telemetry = await start(config, options, removeDiagLogger);
    holder[ACTIVE_KEY] = telemetry;
    return telemetry;
  } catch (error) {
    removeDiagLogger();
    holder[ACTIVE_KEY] = undefined;
    throw error;
  }
}

async function start(
  config: ResolvedConfig,
  options: TelemetryOptions,
  removeDiagLogger: () => void,
): Promise<Telemetry> {
  // Loaded before anything starts, so a missing package asked for explicitly leaves nothing behind.
  const runtimeModule = config.runtimeMetrics
    ? await loadRuntimeMetrics(options.runtimeMetrics !== undefined)
    : undefined;
  const producer = sightglassMetricProducer();
  const readers: IMetricReader[] = [];

  let prometheusReader: PrometheusReader | undefined;
  if (config.prometheus) {
    const {
      host: _host,
      port: _port,
      server: _server,
      // The standalone server's options, not the reader's.
      health: _health,
      details: _details,
      dashboard: _dashboard,
      ...readerOptions
    } = config.prometheus;
    // The Prometheus reader renders Sightglass's registry itself (label strings kept per series), so it
    // takes no producer of ours; the application's own producers are passed on.
    prometheusReader = createPrometheusReader(readerOptions);
    readers.push(prometheusReader);
  }
  const push = (exporter: PushMetricExporter, name: string, intervalMs: number, timeoutMs: number): void => {
    readers.push(
      new PeriodicExportingMetricReader({
        // The wrapper answers every export within timeoutMs (the exporter's own timeout too). The reader's
        // timeout, the longest it accepts, is only a backstop: it would log each time it fired.
        exporter: withExportReporting(exporter, { name, timeoutMs }),
        exportIntervalMillis: intervalMs,
        exportTimeoutMillis: intervalMs,
        metricProducers: [producer],
      }),
    );
  };
  if (config.otlp) {
    const { origin, pathname } = new URL(config.otlp.url); // no credentials or query in the log lines
    push(
      await createOtlpExporter(config.otlp),
      `OTLP metrics export to ${origin}${pathname}`,
      config.otlp.intervalMs,
      config.otlp.timeoutMs,
    );
  }
  if (config.console) {
    const { intervalMs } = config.console;
    push(new ConsoleMetricExporter(), 'console metrics export', intervalMs, Math.min(30_000, intervalMs));
  }

  let meterProvider: MeterProvider;
  try {
    meterProvider = new MeterProvider({
      resource: buildResource(config, options),
      readers,
      views: [...sightglassViews(), ...(options.views ?? [])],
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SightglassError(
      ErrorCode.INVALID_CONFIG,
      `options.views holds a view the SDK rejects: ${message}`,
      {
        cause: error,
      },
    );
  }

  // Listen last: everything that can fail on bad input has been built, so a taken port leaves nothing behind.
  let metricsServer: MetricsServer | undefined;
  if (config.prometheus?.server) {
    try {
      metricsServer = await startMetricsServer({
        host: config.prometheus.host,
        port: config.prometheus.port,
        reader: prometheusReader,
        health: config.prometheus.health !== false,
        ...(config.prometheus.details ? { details: config.prometheus.details } : {}),
        ...(config.prometheus.dashboard !== undefined ? { dashboard: config.prometheus.dashboard } : {}),
      });
    } catch (error) {
      await meterProvider.shutdown().catch(() => undefined);
      throw error;
    }
  }

  const registeredGlobally = options.global !== false && metrics.setGlobalMeterProvider(meterProvider);
  if (options.global !== false && !registeredGlobally) {
    diag.warn(
      'sightglass: another global MeterProvider was already registered; Sightglass reports to its own',
    );
  }
  if (prometheusReader) setDefaultPrometheusReader(prometheusReader);
  if (options.labelLimits) metricRegistry().setLabelGuardOptions(options.labelLimits);
  const stopHealthMetrics = config.healthMetrics ? startHealthStatusMetrics() : () => {};
  let stopRuntime = (): void => {};
  if (config.runtimeMetrics && runtimeModule) {
    try {
      stopRuntime = startRuntimeMetrics(runtimeModule, meterProvider, config.runtimeMetrics);
    } catch (error) {
      reportInstrumentationError('runtime metrics', error); // the service runs on without them
    }
  }

  const withinTimeout = (work: Promise<unknown>): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, config.shutdownTimeoutMs);
      timer.unref();
      work
        .then(
          () => resolve(),
          (error: unknown) => {
            diag.error('sightglass: metrics flush/shutdown failed', error);
            resolve();
          },
        )
        .finally(() => clearTimeout(timer));
    });

  let stopping: Promise<void> | undefined;
  const telemetry: Telemetry = {
    meterProvider,
    prometheusReader,
    metricsServer,
    config,
    forceFlush: () => withinTimeout(meterProvider.forceFlush()),
    shutdown() {
      stopping ??= (async () => {
        stopRuntime();
        stopHealthMetrics();
        await withinTimeout(
          Promise.all([
            meterProvider.shutdown({ timeoutMillis: config.shutdownTimeoutMs }),
            metricsServer?.close(),
          ]),
        );
        // Undo only what this start did: another provider registered by the application stays.
        if (registeredGlobally) metrics.disable();
        if (prometheusReader) setDefaultPrometheusReader(undefined);
        if (options.labelLimits) metricRegistry().setLabelGuardOptions({});
        removeDiagLogger(); // last, so that what shutting down reports is printed too
        (globalThis as Holder)[ACTIVE_KEY] = undefined;
      })();
      return stopping;
    },
  };
  return telemetry;
}

function buildResource(config: ResolvedConfig, options: TelemetryOptions): Resource {
  const attributes = { ...options.resourceAttributes };
  if (config.serviceName !== undefined) attributes['service.name'] = config.serviceName;
  if (options.serviceVersion !== undefined) attributes['service.version'] = options.serviceVersion;
  return defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes(attributes));
}
