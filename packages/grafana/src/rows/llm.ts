import { CATALOG } from '@sightglass/core';
import { legend, query, type RowSpec, stat, timeseries } from '../panels.js';
import {
  aggregate,
  histogramQuantile,
  labelOf,
  metricName,
  rate,
  DASHBOARD_SCOPE as S,
  selector,
  sumBy,
} from '../promql.js';

const POOL = labelOf(CATALOG.ollamaModelLoadDurationSeconds, 'pool_name');
const MODEL = labelOf(CATALOG.ollamaModelLoadDurationSeconds, 'model');
const RESPONSE_MODEL = labelOf(CATALOG.genAiClientOperationDuration, 'gen_ai.response.model');
const REQUEST_MODEL = labelOf(CATALOG.genAiClientOperationDuration, 'gen_ai.request.model');

function quantiles(bucketMetric: string, by: readonly string[], qs: readonly number[]) {
  return qs.map((q) => query(histogramQuantile(q, bucketMetric, by, S), `${legend(...by)} p${q * 100}`));
}

function perModel(metric: string): string {
  return aggregate('max', [POOL, MODEL], selector(metric, S));
}

/**
 * The model server as operators watch it, from what Ollama reports and what it does not export: cold starts,
 * the loaded models and their memory (the opt-in `/api/ps` poller), the time calls wait for a connection,
 * the time per output chunk and the server's own timings.
 */
export function llmRow(): RowSpec {
  return {
    id: 700,
    title: 'LLM server (Ollama)',
    panels: [
      timeseries(
        'Cold starts',
        'Model loads per minute, by model: answers whose load_duration was at least 0.25 s (the model was not loaded).',
        'short',
        [
          query(
            `60 * ${sumBy([POOL, MODEL], rate(metricName(CATALOG.ollamaModelLoadDurationSeconds, 'count'), S))}`,
            legend(POOL, MODEL),
          ),
        ],
      ),
      timeseries(
        'Model load time',
        'p50 and p95 of the load_duration of model loads (cold starts), per model.',
        's',
        quantiles(metricName(CATALOG.ollamaModelLoadDurationSeconds, 'bucket'), [MODEL], [0.5, 0.95]),
      ),
      stat(
        'Loaded models',
        'Models Ollama holds in memory now (/api/ps, polled when the client has psPoll on).',
        'short',
        query(aggregate('max', [POOL], selector(metricName(CATALOG.ollamaLoadedModels), S)), legend(POOL)),
        { width: 8, height: 8, min: 0 },
      ),
      timeseries(
        'Model memory (VRAM and total)',
        'GPU memory and total memory each loaded model takes (/api/ps size_vram and size).',
        'bytes',
        [
          query(perModel(metricName(CATALOG.ollamaModelVramBytes)), `${legend(MODEL)} VRAM`),
          query(perModel(metricName(CATALOG.ollamaModelSizeBytes)), `${legend(MODEL)} total`),
        ],
        { min: 0 },
      ),
      timeseries(
        'Time until unload',
        'Seconds until Ollama unloads each loaded model (its keep_alive runs out; a call resets it).',
        's',
        [query(perModel(metricName(CATALOG.ollamaModelExpiresInSeconds)), legend(POOL, MODEL))],
        { min: 0 },
      ),
      timeseries(
        '/api/ps poll failures',
        'Polls of /api/ps that failed per second (Ollama unreachable, timed out, bad answer); the model panels are empty meanwhile.',
        'ops',
        [query(sumBy([POOL], rate(metricName(CATALOG.ollamaPsPollFailures), S)), legend(POOL))],
      ),
      timeseries(
        'Pool wait p50 / p95',
        'p50 and p95 of the time a call waited for a connection (queued behind others, or while one was opened).',
        's',
        quantiles(metricName(CATALOG.connectionPoolWaitDurationSeconds, 'bucket'), [POOL], [0.5, 0.95]),
      ),
      timeseries(
        'Time per output chunk',
        'p50 and p95 of the time between the arrivals of two chunks of a stream at the client (not when the application read them).',
        's',
        quantiles(metricName(CATALOG.genAiClientTimePerOutputChunk, 'bucket'), [REQUEST_MODEL], [0.5, 0.95]),
      ),
      timeseries(
        'Calls by response model',
        'GenAI operations per second by the model that answered (gen_ai.response.model, Ollama\'s "model" field).',
        'ops',
        [
          query(
            sumBy([RESPONSE_MODEL], rate(metricName(CATALOG.genAiClientOperationDuration, 'count'), S)),
            legend(RESPONSE_MODEL),
          ),
        ],
      ),
      timeseries(
        'Server time to first token',
        'p50 and p95 of load (and queue) plus prompt evaluation, as Ollama reports it (load_duration + prompt_eval_duration).',
        's',
        quantiles(metricName(CATALOG.genAiServerTimeToFirstToken, 'bucket'), [REQUEST_MODEL], [0.5, 0.95]),
      ),
      timeseries(
        'Server request duration',
        'p50 and p95 of the request duration Ollama reports (total_duration).',
        's',
        quantiles(metricName(CATALOG.genAiServerRequestDuration, 'bucket'), [REQUEST_MODEL], [0.5, 0.95]),
      ),
    ],
  };
}
