import { diag } from '@opentelemetry/api';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

type ExportResult = Parameters<Parameters<PushMetricExporter['export']>[1]>[0];
/** An exporter's `export()`: metrics or spans, answered through a callback with an ExportResult. */
type ExportFunction<Items> = (items: Items, resultCallback: (result: ExportResult) => void) => void;

// ExportResultCode of @opentelemetry/core (SUCCESS = 0, FAILED = 1), which is not a dependency of this package.
const SUCCESS = 0 as ExportResult['code'];
const FAILED = 1 as ExportResult['code'];

/** What {@link withExportReporting} needs to know. */
export interface ExportReportingOptions {
  /** What the log lines call the export, e.g. `OTLP metrics export to http://collector:4318/v1/metrics`. */
  name: string;
  /**
   * How long an export may take, in milliseconds: one that has not finished by then is reported as a `timeout`
   * failure and answered, and its late result ignored. Give the reader a timeout at least this long: a reader
   * that gives up first logs that on every interval.
   */
  timeoutMs: number;
}

/**
 * The kind of an export failure, the key under which it is reported once: a Node.js error code
 * (`ECONNREFUSED`, `ENOTFOUND`, ...), `HTTP <status>` for a collector's answer, `gRPC status <code>`,
 * `timeout`, else the error's name and message.
 */
export function exportFailureKind(error: unknown): string {
  if (typeof error !== 'object' || error === null) return error === undefined ? 'unknown' : String(error);
  const { code, name, message, errors } = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && code !== '') return code;
  if (typeof code === 'number') {
    if (name === 'OTLPExporterError') return `HTTP ${code}`;
    // A @grpc/grpc-js ServiceError; DEADLINE_EXCEEDED (4) is the gRPC exporter's timeout.
    return code === 4 ? 'timeout' : `gRPC status ${code}`;
  }
  // Connecting to a name with several addresses fails with an AggregateError of one error per address.
  if (Array.isArray(errors) && errors.length > 0) return exportFailureKind(errors[0]);
  if (typeof message === 'string' && /timed out|timeout/i.test(message)) return 'timeout';
  return `${String(name ?? 'Error')}: ${String(message ?? '')}`;
}

function describe(error: unknown): string {
  if (error === undefined) return 'the exporter gave no reason';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Wraps a push exporter so that its failures are reported through `diag`, once each: the first export that
 * fails with a given {@link exportFailureKind} logs an error; further failures of that kind stay quiet while
 * exports keep failing; the first export that succeeds again logs one info line, and the next failure is news
 * again. Everything else (data, aggregation selectors, `forceFlush()`, `shutdown()`) passes through unchanged.
 *
 * The reader is told every export succeeded: `PeriodicExportingMetricReader` hands a failed one to
 * OpenTelemetry's global error handler, which logs it again on every interval. Nothing else reads the result,
 * and the reader never sends a failed export again either way. Never throws into the caller and adds no wait
 * to an export; a logger that throws is ignored.
 */
export function withExportReporting(
  exporter: PushMetricExporter,
  options: ExportReportingOptions,
): PushMetricExporter {
  const wrapped: PushMetricExporter = {
    export: reportingExport(exporter.export.bind(exporter), options),
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
  if (exporter.selectAggregationTemporality) {
    wrapped.selectAggregationTemporality = exporter.selectAggregationTemporality.bind(exporter);
  }
  if (exporter.selectAggregation) wrapped.selectAggregation = exporter.selectAggregation.bind(exporter);
  return wrapped;
}

/**
 * {@link withExportReporting} for a span exporter under a BatchSpanProcessor, which would otherwise hand every
 * failed batch to OpenTelemetry's global error handler and reject `forceFlush()`/`shutdown()` with it.
 */
export function withSpanExportReporting(
  exporter: SpanExporter,
  options: ExportReportingOptions,
): SpanExporter {
  return {
    export: reportingExport(exporter.export.bind(exporter), options) as SpanExporter['export'],
    shutdown: () => exporter.shutdown(),
    ...(exporter.forceFlush ? { forceFlush: () => exporter.forceFlush!() } : {}),
  };
}

function reportingExport<Items>(
  exportItems: ExportFunction<Items>,
  options: ExportReportingOptions,
): ExportFunction<Items> {
  const reported = new Set<string>();
  let failedExports = 0;

  const record = (result: ExportResult): void => {
    try {
      if (result.code === SUCCESS) {
        if (failedExports > 0) {
          const exports = failedExports === 1 ? 'export' : 'exports';
          diag.info(`sightglass: ${options.name} works again, after ${failedExports} failed ${exports}`);
        }
        failedExports = 0;
        reported.clear();
        return;
      }
      failedExports += 1;
      const kind = exportFailureKind(result.error);
      if (reported.has(kind)) return;
      reported.add(kind);
      diag.error(
        `sightglass: ${options.name} failed (${kind}): ${describe(result.error)}; ` +
          'further failures of this kind are not logged until an export succeeds',
      );
    } catch {
      // A diag logger that throws must not break the export.
    }
  };

  return (items, resultCallback) => {
    let answered = false;
    const answer = (result: ExportResult): void => {
      if (answered) return; // a result that arrives after the deadline: the reader has moved on
      answered = true;
      clearTimeout(deadline);
      record(result);
      resultCallback(result.code === SUCCESS ? result : { code: SUCCESS });
    };
    // Started before the reader starts its own timer (after calling export()): with the same timeout, Node.js
    // runs this one first, and the reader's is cleared before it fires.
    const deadline = setTimeout(
      () => answer({ code: FAILED, error: new Error(`export timed out after ${options.timeoutMs} ms`) }),
      options.timeoutMs,
    );
    deadline.unref();
    try {
      exportItems(items, answer);
    } catch (error) {
      answer({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
}
