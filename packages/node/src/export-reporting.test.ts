import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import {
  AggregationTemporality,
  AggregationType,
  InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exportFailureKind, withExportReporting } from './export-reporting.js';

type ResultCallback = Parameters<PushMetricExporter['export']>[1];
type ExportResult = Parameters<ResultCallback>[0];
const SUCCESS = 0 as ExportResult['code'];
const FAILED = 1 as ExportResult['code'];

const batch = { resource: {}, scopeMetrics: [] } as unknown as ResourceMetrics;

/** An exporter whose next results the test decides: each export() waits for `settle()`. */
function scriptedExporter() {
  const pending: ResultCallback[] = [];
  const exporter = {
    export: vi.fn((_metrics: ResourceMetrics, callback: ResultCallback) => {
      pending.push(callback);
    }),
    forceFlush: vi.fn(async () => {}),
    shutdown: vi.fn(async () => {}),
  } satisfies PushMetricExporter;
  return {
    exporter,
    settle(result: ExportResult) {
      pending.shift()?.(result);
    },
  };
}

const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() };
beforeEach(() => diag.setLogger(logger as DiagLogger, DiagLogLevel.ALL));
afterEach(() => {
  diag.disable();
  vi.clearAllMocks();
  vi.useRealTimers();
});

function exportOnce(
  reporting: PushMetricExporter,
  settle: (result: ExportResult) => void,
  result: ExportResult,
): ExportResult | undefined {
  let answer: ExportResult | undefined;
  reporting.export(batch, (value) => {
    answer = value;
  });
  settle(result);
  return answer;
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' });
const unavailable = Object.assign(new Error('Service Unavailable'), { name: 'OTLPExporterError', code: 503 });

describe('withExportReporting', () => {
  it('logs the first failure of a kind once, and the recovery once', () => {
    const { exporter, settle } = scriptedExporter();
    const reporting = withExportReporting(exporter, { name: 'OTLP metrics export to X', timeoutMs: 1000 });

    for (let i = 0; i < 3; i++) exportOnce(reporting, settle, { code: FAILED, error: refused });
    expect(logger.error.mock.calls).toEqual([
      [
        'sightglass: OTLP metrics export to X failed (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:4318; ' +
          'further failures of this kind are not logged until an export succeeds',
      ],
    ]);
    exportOnce(reporting, settle, { code: FAILED, error: unavailable }); // a new kind in the same outage
    exportOnce(reporting, settle, { code: FAILED, error: refused });
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error.mock.calls[1]?.[0]).toMatch(/failed \(HTTP 503\): Service Unavailable;/);

    exportOnce(reporting, settle, { code: SUCCESS });
    exportOnce(reporting, settle, { code: SUCCESS });
    expect(logger.info.mock.calls).toEqual([
      ['sightglass: OTLP metrics export to X works again, after 5 failed exports'],
    ]);

    exportOnce(reporting, settle, { code: FAILED, error: refused }); // news again after a success
    expect(logger.error).toHaveBeenCalledTimes(3);
    exportOnce(reporting, settle, { code: FAILED });
    expect(logger.error).toHaveBeenLastCalledWith(
      expect.stringMatching(
        /^sightglass: OTLP metrics export to X failed \(unknown\): the exporter gave no reason;/,
      ),
    );
    exportOnce(reporting, settle, { code: SUCCESS });
    expect(logger.info).toHaveBeenLastCalledWith(
      'sightglass: OTLP metrics export to X works again, after 2 failed exports',
    );
    exportOnce(reporting, settle, { code: FAILED, error: refused });
    exportOnce(reporting, settle, { code: SUCCESS });
    expect(logger.info).toHaveBeenLastCalledWith(
      'sightglass: OTLP metrics export to X works again, after 1 failed export',
    );
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('tells the reader every export succeeded, so the SDK does not log each failure again', () => {
    const { exporter, settle } = scriptedExporter();
    const reporting = withExportReporting(exporter, { name: 'x', timeoutMs: 1000 });
    expect(exportOnce(reporting, settle, { code: FAILED, error: refused })).toEqual({ code: SUCCESS });
    const success = { code: SUCCESS };
    expect(exportOnce(reporting, settle, success)).toBe(success);
    expect(exporter.export).toHaveBeenCalledWith(batch, expect.any(Function));
  });

  it('passes flush, shutdown and the aggregation selectors through', async () => {
    const { exporter } = scriptedExporter();
    const plain = withExportReporting(exporter, { name: 'x', timeoutMs: 1000 });
    expect(plain.selectAggregationTemporality).toBeUndefined();
    expect(plain.selectAggregation).toBeUndefined();
    await plain.forceFlush();
    await plain.shutdown();
    expect(exporter.forceFlush).toHaveBeenCalledOnce();
    expect(exporter.shutdown).toHaveBeenCalledOnce();

    const selecting = withExportReporting(
      {
        ...exporter,
        selectAggregationTemporality: () => AggregationTemporality.DELTA,
        selectAggregation: () => ({ type: AggregationType.SUM }),
      },
      { name: 'x', timeoutMs: 1000 },
    );
    expect(selecting.selectAggregationTemporality?.(InstrumentType.COUNTER)).toBe(
      AggregationTemporality.DELTA,
    );
    expect(selecting.selectAggregation?.(InstrumentType.COUNTER)).toEqual({ type: AggregationType.SUM });
  });

  it('reports an export that outlasts the timeout, answers the reader, and ignores the late result', () => {
    vi.useFakeTimers();
    const { exporter, settle } = scriptedExporter();
    const reporting = withExportReporting(exporter, { name: 'x', timeoutMs: 500 });
    const answers: ExportResult[] = [];
    reporting.export(batch, (result) => answers.push(result));
    vi.advanceTimersByTime(499);
    expect(answers).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(answers).toEqual([{ code: SUCCESS }]);
    expect(logger.error).toHaveBeenCalledWith(
      'sightglass: x failed (timeout): export timed out after 500 ms; ' +
        'further failures of this kind are not logged until an export succeeds',
    );
    settle({ code: FAILED, error: new Error('Request timed out') });
    settle({ code: SUCCESS });
    expect(answers).toHaveLength(1);
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('never throws into the caller: not for an exporter that throws, nor for a logger that does', () => {
    const throwing: PushMetricExporter = {
      export: () => {
        throw new TypeError('exporter bug');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const answers: ExportResult[] = [];
    const reporting = withExportReporting(throwing, { name: 'x', timeoutMs: 1000 });
    reporting.export(batch, (result) => answers.push(result));
    expect(answers).toEqual([{ code: SUCCESS }]);
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/failed \(TypeError: exporter bug\)/));

    logger.error.mockImplementationOnce(() => {
      throw new Error('logger bug');
    });
    const { exporter, settle } = scriptedExporter();
    const second = withExportReporting(exporter, { name: 'z', timeoutMs: 1000 });
    expect(exportOnce(second, settle, { code: FAILED, error: refused })).toEqual({ code: SUCCESS });
  });
});

describe('exportFailureKind', () => {
  it.each([
    [refused, 'ECONNREFUSED'],
    [unavailable, 'HTTP 503'],
    [
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: '' }),
      'gRPC status 14',
    ],
    [Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), { code: 4, details: '' }), 'timeout'],
    [new Error('Request timed out'), 'timeout'],
    [new AggregateError([refused, refused], ''), 'ECONNREFUSED'],
    [new Error('Concurrent export limit reached'), 'Error: Concurrent export limit reached'],
    [Object.assign(new Error('odd'), { code: '' }), 'Error: odd'],
    [undefined, 'unknown'],
    ['a string', 'a string'],
    [{}, 'Error: '],
  ])('%s is %j', (error, kind) => {
    expect(exportFailureKind(error)).toBe(kind);
  });
});
