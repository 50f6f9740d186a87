import { trace } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';
import { CATALOG } from './catalog.js';
import { HistogramCell, mergeHistograms } from './histogram-cell.js';
import { MetricRegistry } from './metric-registry.js';
import { recordWithSpan, sampledSpanContext } from './span-events.js';

const BOUNDARIES = [0.1, 1, 10];
const TRACE_A = 'a'.repeat(32);
const TRACE_B = 'b'.repeat(32);
const SPAN_A = '1'.repeat(16);
const SPAN_B = '2'.repeat(16);

describe('HistogramCell exemplars', () => {
  it('counts a value recorded with an exemplar exactly as record() does', () => {
    const plain = new HistogramCell(BOUNDARIES);
    const withExemplars = new HistogramCell(BOUNDARIES);
    for (const value of [0.05, 0.5, 0.5, 5, 50]) {
      plain.record(value);
      withExemplars.recordExemplar(value, TRACE_A, SPAN_A, 1000);
    }
    expect(withExemplars.counts).toEqual(plain.counts);
    expect([withExemplars.sum, withExemplars.count, withExemplars.min, withExemplars.max]).toEqual([
      plain.sum,
      plain.count,
      plain.min,
      plain.max,
    ]);
    expect(plain.exemplarList).toEqual([]);
  });

  it('keeps the last exemplar seen in each bucket, the +Inf bucket last', () => {
    const cell = new HistogramCell(BOUNDARIES);
    cell.recordExemplar(0.5, TRACE_A, SPAN_A, 1000);
    cell.recordExemplar(0.7, TRACE_B, SPAN_B, 2000);
    cell.recordExemplar(99, TRACE_A, SPAN_B, 3000);
    expect(cell.exemplarList).toEqual([
      undefined,
      { value: 0.7, timeMs: 2000, traceId: TRACE_B, spanId: SPAN_B },
      undefined,
      { value: 99, timeMs: 3000, traceId: TRACE_A, spanId: SPAN_B },
    ]);
  });

  it('stamps the time of recording by default', () => {
    vi.useFakeTimers({ now: 1_700_000_000_123 });
    try {
      const cell = new HistogramCell(BOUNDARIES);
      cell.recordExemplar(2, TRACE_A, SPAN_A);
      expect(cell.exemplarList[2]?.timeMs).toBe(1_700_000_000_123);
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts the value but keeps no exemplar for ids that cannot be a span’s (a leading zero can)', () => {
    const cell = new HistogramCell(BOUNDARIES);
    cell.recordExemplar(0.5, '0'.repeat(32), SPAN_A, 1);
    cell.recordExemplar(0.5, TRACE_A, '0'.repeat(16), 1);
    cell.recordExemplar(0.5, 'abc', SPAN_A, 1);
    cell.recordExemplar(0.5, TRACE_A, 'abc', 1);
    cell.recordExemplar(0.5, null as never, undefined as never, 1);
    cell.recordExemplar(0.5, `0${'a'.repeat(31)}`, `0${'1'.repeat(15)}`, 1); // a leading zero is fine
    expect(cell.count).toBe(6);
    expect(cell.exemplarList.filter(Boolean).map((exemplar) => exemplar?.traceId)).toEqual([
      `0${'a'.repeat(31)}`,
    ]);
  });

  it('ignores NaN and infinities as record() does', () => {
    const cell = new HistogramCell(BOUNDARIES);
    cell.recordExemplar(Number.NaN, TRACE_A, SPAN_A, 1);
    cell.recordExemplar(Number.POSITIVE_INFINITY, TRACE_A, SPAN_A, 1);
    expect(cell.count).toBe(0);
    expect(cell.exemplarList).toEqual([]);
  });
});

describe('merging exemplars', () => {
  it('keeps the newest exemplar per bucket across the cells of a series', () => {
    const first = new HistogramCell(BOUNDARIES);
    const second = new HistogramCell(BOUNDARIES);
    first.recordExemplar(0.5, TRACE_A, SPAN_A, 2000);
    second.recordExemplar(0.6, TRACE_B, SPAN_B, 1000);
    second.recordExemplar(5, TRACE_B, SPAN_B, 1500);
    const merged = mergeHistograms(BOUNDARIES, [first, second]);
    expect(merged.exemplars).toEqual([
      undefined,
      { value: 0.5, timeMs: 2000, traceId: TRACE_A, spanId: SPAN_A },
      { value: 5, timeMs: 1500, traceId: TRACE_B, spanId: SPAN_B },
      undefined,
    ]);
  });

  it('leaves exemplars out of a snapshot that has none', () => {
    const cell = new HistogramCell(BOUNDARIES);
    cell.record(1);
    expect(mergeHistograms(BOUNDARIES, [cell])).not.toHaveProperty('exemplars');
  });

  it('keeps a disposed cell’s exemplars in its series until a newer one replaces them', () => {
    const registry = new MetricRegistry();
    const labels = { method: 'GET', route: '/v1/chat', status: '200' };
    const gone = registry.addHistogram(CATALOG.requestDurationSeconds, labels);
    const staying = registry.addHistogram(CATALOG.requestDurationSeconds, labels);
    gone.cell.recordExemplar(0.02, TRACE_A, SPAN_A, 1000);
    gone.remove();
    staying.cell.record(0.02);
    const histogram = () => registry.snapshot()[0]?.series[0]?.histogram;
    const bucket = (CATALOG.requestDurationSeconds.boundaries ?? []).findIndex(
      (boundary) => 0.02 <= boundary,
    );
    expect(histogram()?.count).toBe(2);
    expect(histogram()?.exemplars?.[bucket]).toMatchObject({ traceId: TRACE_A, value: 0.02 });
    staying.cell.recordExemplar(0.02, TRACE_B, SPAN_B, 2000);
    expect(histogram()?.exemplars?.[bucket]).toMatchObject({ traceId: TRACE_B, timeMs: 2000 });
  });
});

describe('recordWithSpan', () => {
  const sampled = trace.wrapSpanContext({ traceId: TRACE_A, spanId: SPAN_A, traceFlags: 1 });
  const unsampled = trace.wrapSpanContext({ traceId: TRACE_B, spanId: SPAN_B, traceFlags: 0 });

  it('keeps a sampled span as the exemplar', () => {
    const cell = new HistogramCell(BOUNDARIES);
    recordWithSpan(cell, 0.5, sampled);
    expect(cell.exemplarList[1]).toMatchObject({ value: 0.5, traceId: TRACE_A, spanId: SPAN_A });
    expect(sampledSpanContext(sampled)?.traceId).toBe(TRACE_A);
  });

  it('records without an exemplar for no span, an unsampled span, or a span that throws', () => {
    const broken = Object.assign(Object.create(sampled), {
      spanContext: () => {
        throw new Error('broken span');
      },
    });
    const cell = new HistogramCell(BOUNDARIES);
    recordWithSpan(cell, 0.5, undefined);
    recordWithSpan(cell, 0.5, unsampled);
    recordWithSpan(cell, 0.5, broken);
    expect(cell.count).toBe(3);
    expect(cell.exemplarList).toEqual([]);
    expect(sampledSpanContext(unsampled)).toBeUndefined();
  });
});
