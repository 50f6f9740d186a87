import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { GenAiMetrics } from './genai-metrics.js';
import { genAiSeries } from './test-support/genai-series.js';

const metrics: GenAiMetrics[] = [];
afterEach(() => {
  for (const m of metrics.splice(0)) m.dispose();
});

/** A sampled span context, as a span of a real tracer would have it, without a tracer. */
const sampled = trace.wrapSpanContext({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
});

describe('GenAiMetrics exemplars', () => {
  it('past the series limit (a flood of model names) the shared series keep exemplars too', () => {
    const genAi = new GenAiMetrics('127.0.0.1', 19_999, 'genai-overflow');
    metrics.push(genAi);
    for (let i = 0; i < 1000; i++) genAi.seriesFor('chat', `model-${i}`, undefined);
    genAi.succeeded('chat', 'one-too-many', 0.5, { model: 'one-too-many' }, sampled);
    genAi.failed('chat', 'one-too-many', 0.7, '503', undefined, sampled);
    const exemplars = genAiSeries('gen_ai.client.operation.duration', { 'server.port': '19999' })
      .flatMap((series) => series.histogram?.exemplars ?? [])
      .filter((exemplar) => exemplar !== undefined);
    expect(exemplars.map((exemplar) => exemplar.value).sort()).toEqual([0.5, 0.7]);
    expect(exemplars.every((exemplar) => exemplar.traceId === sampled.spanContext().traceId)).toBe(true);
  });
});
