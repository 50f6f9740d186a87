import { diag, metrics, type TracerProvider } from '@opentelemetry/api';
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
import { ErrorCode, metricRegistry, SightglassError, startHealthStatusMetrics } from '@sightglass/core';
import { reportInstrumentationError } from '@sightglass/core/internal';
import {
  createPrometheusReader,
  type MetricsServer,
  type PrometheusReader,
  startMetricsServer,
} from '@sightglass/prometheus';
import { setDefaultPrometheusReader } from '@sightglass/prometheus/internal';
import { type ResolvedConfig, resolveConfig } from './config.js';
import { installDiagLogger } from './diag-logger.js';
import { withExportReporting } from './export-reporting.js';
import type { TelemetryOptions } from './options.js';
import { withMetricProducers } from './otel-sdk-metrics-internals.js';
import { createOtlpExporter } from './otlp.js';
import { checkOpenTelemetryVersions, versionFacts } from './peers.js';
import { createMetricProducer } from './producer.js';
import { loadRuntimeMetrics, startRuntimeMetrics } from './runtime.js';
import { hasGlobalTracerProvider, type LoadedTracing, loadTracing, startTracing } from './tracing.js';
import { sightglassViews } from './views.js';

/** What `startTelemetry()` started. */
export interface Telemetry {
  /** The MeterProvider, also registered globally unless `global: false`. */
  readonly meterProvider: MeterProvider;
  /**
   * The TracerProvider, when tracing is on (also registered globally unless `global: false`); `undefined`
   * when tracing is off, or when the application had registered a TracerProvider of its own, which is kept.
   */
  readonly tracerProvider: TracerProvider | undefined;
  /** The Prometheus reader, when Prometheus is enabled: hand it to the handlers of @sightglass/prometheus. */
  readonly prometheusReader: PrometheusReader | undefined;
  /** The standalone metrics server, when it was started. `metricsServer.url` is what Prometheus scrapes. */
  readonly metricsServer: MetricsServer | undefined;
  /** The configuration in force after defaults and environment variables. */
  readonly config: ResolvedConfig;
  /**
   * Exports what push readers (OTLP, console) and the span queue hold now. Resolves within the shutdown
   * timeout; never rejects.
   */
  forceFlush(): Promise<void>;
  /**
   * Flushes, stops every reader, the span processors and the server, and unregisters what it registered.
   * Within the timeout; never rejects.
   */
  shutdown(): Promise<void>;
}

const ACTIVE_KEY = Symbol.for('@sightglass/node/active-telemetry@1');
type Holder = { [ACTIVE_KEY]?: Telemetry | 'starting' };

/**
 * Starts OpenTelemetry metrics for the process: a MeterProvider with Sightglass's views, the readers asked
 * for (Prometheus, OTLP, console), runtime metrics, and the producer that reports Sightglass's counters and
 * gauges; and, when `tracing` or `OTEL_TRACES_EXPORTER` asks for it, a TracerProvider with a sampler and
 * batched span export, registered globally with a context manager and the W3C propagators (what the
 * application registered first is kept). Call it once at start-up, before the application starts serving.
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
  let tracing: LoadedTracing | undefined;
  if (config.tracing) {
    const registerGlobally = options.global !== false;
    if (registerGlobally && hasGlobalTracerProvider()) {
      // The application's own NodeSDK (or auto-instrumentation) traces; Sightglass's spans already go there.
      diag.warn(
        'sightglass: another global TracerProvider was already registered; it is kept and Sightglass starts no tracing of its own',
      );
    } else {
      try {
        tracing = await loadTracing(config.tracing, registerGlobally);
      } catch (error) {
        // Tracing asked for by OTEL_TRACES_EXPORTER alone (often set for a whole cluster) does not stop a
        // service that has not installed the trace SDK: it runs on with metrics and is told what to install.
        const missing = error instanceof SightglassError && error.code === ErrorCode.MISSING_DEPENDENCY;
        if (options.tracing !== undefined || !missing) throw error;
        process.emitWarning(
          `sightglass: OTEL_TRACES_EXPORTER asks for tracing, but ${error.message}; starting without tracing`,
          { code: 'SIGHTGLASS_TRACING_SKIPPED' },
        );
      }
    }
    if (config.tracing.ignoredPropagators.length > 0) {
      process.emitWarning(
        `sightglass: OTEL_PROPAGATORS names ${config.tracing.ignoredPropagators.join(', ')}, which ` +
          'startTelemetry() does not install (it knows tracecontext, baggage and none); register that ' +
          'propagator yourself with propagation.setGlobalPropagator() before startTelemetry(), which keeps it',
        { code: 'SIGHTGLASS_PROPAGATORS_IGNORED' },
      );
    }
  }
  const producer = createMetricProducer();
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
      new PeriodicExportingMetricReader(
        withMetricProducers(
          {
            // The wrapper answers every export within timeoutMs (the exporter's own timeout too). The
            // reader's timeout, the longest it accepts, is only a backstop: it would log each time it fired.
            exporter: withExportReporting(exporter, { name, timeoutMs }),
            exportIntervalMillis: intervalMs,
            exportTimeoutMillis: intervalMs,
          },
          [producer],
        ),
      ),
    );
  };
  if (config.otlp) {
    const { origin, pathname } = new URL(config.otlp.url); // no credentials or query in the log lines
    push(
      createOtlpExporter(config.otlp),
      `OTLP metrics export to ${origin}${pathname}`,
      config.otlp.intervalMs,
      config.otlp.timeoutMs,
    );
  }
  if (config.console) {
    const { intervalMs } = config.console;
    push(new ConsoleMetricExporter(), 'console metrics export', intervalMs, Math.min(30_000, intervalMs));
  }

  const resource = buildResource(config, options);
  let meterProvider: MeterProvider;
  try {
    meterProvider = new MeterProvider({
      resource,
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
  // Last of what can fail: nothing registered by tracing has to be undone after a failed start.
  const startedTracing = tracing ? startTracing(tracing, resource) : undefined;
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

  // Each piece of work is reported on its own, and the whole is bounded: a collector that is down or hangs
  // neither rejects nor holds up forceFlush() and shutdown().
  const reported = (what: string, work: Promise<unknown> | undefined): Promise<void> =>
    Promise.resolve(work).then(
      () => undefined,
      (error: unknown) => diag.error(`sightglass: ${what} failed`, error),
    );
  const withinTimeout = (...work: Array<Promise<void>>): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, config.shutdownTimeoutMs);
      timer.unref();
      Promise.all(work)
        .then(() => resolve())
        .finally(() => clearTimeout(timer));
    });
  // Called synchronously, so that an SDK method that throws instead of rejecting is reported too.
  const attempt = (what: string, work: () => Promise<unknown> | undefined): Promise<void> => {
    try {
      return reported(what, work());
    } catch (error) {
      return reported(what, Promise.reject(error));
    }
  };

  let stopping: Promise<void> | undefined;
  const telemetry: Telemetry = {
    meterProvider,
    tracerProvider: startedTracing?.tracerProvider,
    prometheusReader,
    metricsServer,
    config,
    forceFlush: () =>
      withinTimeout(
        attempt('metrics flush', () => meterProvider.forceFlush()),
        attempt('span flush', () => startedTracing?.forceFlush(config.shutdownTimeoutMs)),
      ),
    shutdown() {
      stopping ??= (async () => {
        stopRuntime();
        stopHealthMetrics();
        await withinTimeout(
          attempt('metrics shutdown', () =>
            meterProvider.shutdown({ timeoutMillis: config.shutdownTimeoutMs }),
          ),
          attempt('tracing shutdown', () => startedTracing?.shutdown()),
          attempt('metrics server close', () => metricsServer?.close()),
        );
        startedTracing?.unregister();
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
