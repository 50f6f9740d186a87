import { CATALOG } from '@sightglass/core';
import { legend, query, type RowSpec, timeseries } from '../panels.js';
import {
  histogramQuantile,
  labelOf,
  metricName,
  notEq,
  rate,
  DASHBOARD_SCOPE as S,
  sumBy,
} from '../promql.js';
import { LATENCY_QUANTILES, quantileName } from '../signals.js';
import { TRACE_QUERIES } from '../traces.js';

const DURATION = CATALOG.genAiClientOperationDuration;
const MODEL = labelOf(DURATION, 'gen_ai.request.model');
const OPERATION = labelOf(DURATION, 'gen_ai.operation.name');
const ERROR_TYPE = labelOf(DURATION, 'error.type');
const TOKEN_TYPE = labelOf(CATALOG.genAiClientTokenUsage, 'gen_ai.token.type');

function quantiles(bucketMetric: string, quantilesToShow: readonly number[]): ReturnType<typeof query>[] {
  return quantilesToShow.map((q) =>
    query(histogramQuantile(q, bucketMetric, [MODEL], S), `${legend(MODEL)} ${quantileName(q)}`),
  );
}

/** Calls to the model server (@sightglass/ollama), after the GenAI semantic conventions. */
export function genAiRow(): RowSpec {
  return {
    id: 600,
    title: 'GenAI calls',
    panels: [
      timeseries(
        'Operations',
        'GenAI operations per second, by model and operation (chat, generate, embeddings).',
        'ops',
        [query(sumBy([MODEL, OPERATION], rate(metricName(DURATION, 'count'), S)), legend(MODEL, OPERATION))],
      ),
      timeseries(
        'Operation duration',
        'p50, p95 and p99 of GenAI operation duration per model, streams included to their last chunk; the points, where Prometheus stores exemplars, are calls whose trace was sampled.',
        's',
        quantiles(metricName(DURATION, 'bucket'), LATENCY_QUANTILES),
        { traces: TRACE_QUERIES.genAi },
      ),
      timeseries('Operation errors', 'Failed GenAI operations per second, by model and error.type.', 'ops', [
        query(
          sumBy([MODEL, ERROR_TYPE], rate(metricName(DURATION, 'count'), S, [notEq(ERROR_TYPE, '')])),
          legend(MODEL, ERROR_TYPE),
        ),
      ]),
      timeseries('Token usage', 'Tokens per second, by model and token type (input, output).', 'short', [
        query(
          sumBy([MODEL, TOKEN_TYPE], rate(metricName(CATALOG.genAiClientTokenUsage, 'sum'), S)),
          legend(MODEL, TOKEN_TYPE),
        ),
      ]),
      timeseries(
        'Time to first chunk',
        'p50, p95 and p99 of the time from a streaming request to its first chunk; the points, where Prometheus stores exemplars, are streams whose trace was sampled.',
        's',
        quantiles(metricName(CATALOG.genAiClientTimeToFirstChunk, 'bucket'), LATENCY_QUANTILES),
        { traces: TRACE_QUERIES.genAi },
      ),
      timeseries(
        'Time per output token',
        'p50 and p95 of the time per output token after the first, as the model server reports it.',
        's',
        quantiles(metricName(CATALOG.genAiServerTimePerOutputToken, 'bucket'), [0.5, 0.95]),
      ),
    ],
  };
}
