import type { Span } from '@opentelemetry/api';
import {
  type BoundHistogram,
  CATALOG,
  createHistogramRecorder,
  createMetricGroup,
  type HistogramRecorder,
  type LabelValues,
  MODEL_LOAD_BUCKETS_SECONDS,
  OVERFLOW_LABEL_VALUE,
  recordWithSpan,
} from '@sightglass/core';
import { reportInstrumentationError } from '@sightglass/core/internal';

/** `gen_ai.operation.name` of the calls that are GenAI operations (generate is a text completion). */
export type GenAiOperation = 'chat' | 'text_completion' | 'embeddings';

/**
 * The model name and the timings and token counts Ollama reports on a final chunk or answer (durations in
 * nanoseconds; Go's `omitempty` leaves zeros out).
 */
export interface Usage {
  model?: unknown;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

/**
 * The shortest `load_duration` counted as a model load (a cold start), in seconds: the first bucket of
 * `ollama_model_load_duration_seconds`. Ollama reports a `load_duration` on every answer, the time its
 * scheduler took to hand the request a loaded runner: a few milliseconds when the model was loaded already
 * (more when the request waited for one of Ollama's parallel slots, which this cannot tell from a load).
 * Starting a runner and reading the weights takes from about half a second (a small model, warm page
 * cache) to minutes, so an answer whose `load_duration` is at least this long is counted as a load.
 */
export const COLD_START_MIN_LOAD_SECONDS = MODEL_LOAD_BUCKETS_SECONDS[0]!;

/** The GenAI labels; `gen_ai.response.model` and `error.type` are `undefined` when unknown, and left out. */
type GenAiLabels = LabelValues<typeof CATALOG.genAiClientTimeToFirstChunk>;
type GenAiErrorLabels = LabelValues<typeof CATALOG.genAiClientOperationDuration>;

/** The series of one operation, requested model and answering model: made once, recording is a bucket increment. */
export interface Series {
  readonly duration: BoundHistogram;
  readonly input: BoundHistogram;
  readonly output: BoundHistogram;
  readonly firstChunk: BoundHistogram;
  readonly perChunk: BoundHistogram;
  readonly serverDuration: BoundHistogram;
  readonly serverFirstToken: BoundHistogram;
  readonly perToken: BoundHistogram;
}

/**
 * How many label combinations keep their own cells; past it (a flood of model names) recording goes
 * through a shared recorder, which the label guard bounds.
 */
const MAX_SERIES = 1000;

const overflow = {
  duration: createHistogramRecorder(CATALOG.genAiClientOperationDuration),
  tokens: createHistogramRecorder(CATALOG.genAiClientTokenUsage),
  firstChunk: createHistogramRecorder(CATALOG.genAiClientTimeToFirstChunk),
  perChunk: createHistogramRecorder(CATALOG.genAiClientTimePerOutputChunk),
  serverDuration: createHistogramRecorder(CATALOG.genAiServerRequestDuration),
  serverFirstToken: createHistogramRecorder(CATALOG.genAiServerTimeToFirstToken),
  perToken: createHistogramRecorder(CATALOG.genAiServerTimePerOutputToken),
  load: createHistogramRecorder(CATALOG.ollamaModelLoadDurationSeconds),
};

/**
 * A series past {@link MAX_SERIES}, recorded through the shared recorder. Its rare exemplar binds the label
 * set (the label guard maps it to its cell) rather than keep a cell per label set here.
 */
function recorderCell<D extends typeof CATALOG.genAiClientTimeToFirstChunk>(
  recorder: HistogramRecorder<D>,
  labels: LabelValues<D>,
): BoundHistogram {
  return {
    record: (value: number) => recorder.record(value, labels),
    recordExemplar(value: number, traceId: string, spanId: string, timeMs?: number) {
      try {
        recorder.bind(labels).recordExemplar(value, traceId, spanId, timeMs);
      } catch (error) {
        reportInstrumentationError('ollama GenAI metrics', error);
      }
    },
  };
}

/** The answer's `model` field, if it is one. */
function responseModel(usage: Usage | undefined): string | undefined {
  const model = usage?.model;
  return typeof model === 'string' && model !== '' ? model : undefined;
}

function positive(value: unknown): value is number {
  return typeof value === 'number' && value > 0 && Number.isFinite(value);
}

/**
 * Records the GenAI semantic-convention metrics of one client's calls (conventions v1.41.0, see
 * `GENAI_SEMCONV_VERSION`) and the model loads Ollama reports, in a metric group that `dispose()` stops.
 * Nothing here throws into the call that is being measured.
 *
 * A model name is reported only once Ollama has accepted a call for it (answered one, or started a
 * stream); a failed call for a model it has not accepted (a 404 for a model it does not have, a typo, a
 * name nobody pulled) is reported under `other`. So names Ollama refused never take any of the label
 * guard's slots, and a flood of them cannot leave a real model reported as `other`.
 */
export class GenAiMetrics {
  private readonly group = createMetricGroup();
  private readonly series = new Map<string, Series>();
  private readonly failures = new Map<string, BoundHistogram>();
  private readonly loads = new Map<string, BoundHistogram>();
  /** The models Ollama accepted a call for, at most {@link MAX_SERIES}. */
  private readonly accepted = new Set<string>();

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly poolName: string,
  ) {}

  private labels(operation: GenAiOperation, model: string, response: string | undefined): GenAiLabels {
    const labels = {
      'gen_ai.operation.name': operation,
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': model,
      'gen_ai.response.model': response,
      'server.address': this.address,
      'server.port': String(this.port),
    };
    return labels as GenAiLabels;
  }

  /** The series of a call for `model` that `response` (Ollama's `model` field, if known) answered. */
  seriesFor(operation: GenAiOperation, model: string, response: string | undefined): Series {
    const key = `${operation}\u0000${model}\u0000${response ?? ''}`;
    let series = this.series.get(key);
    if (series !== undefined) return series;
    const labels = this.labels(operation, model, response);
    const tokens = (type: string) => ({ ...labels, 'gen_ai.token.type': type });
    if (this.series.size >= MAX_SERIES) {
      const withError = { ...labels, 'error.type': undefined } as unknown as GenAiErrorLabels;
      return {
        duration: recorderCell(overflow.duration as never, withError),
        input: recorderCell(overflow.tokens as never, tokens('input') as never),
        output: recorderCell(overflow.tokens as never, tokens('output') as never),
        firstChunk: recorderCell(overflow.firstChunk, labels),
        perChunk: recorderCell(overflow.perChunk, labels),
        serverDuration: recorderCell(overflow.serverDuration as never, withError),
        serverFirstToken: recorderCell(overflow.serverFirstToken, labels),
        perToken: recorderCell(overflow.perToken, labels),
      };
    }
    const withError = { ...labels, 'error.type': undefined } as unknown as GenAiErrorLabels;
    const group = this.group;
    series = {
      duration: group.histogram(CATALOG.genAiClientOperationDuration, withError),
      input: group.histogram(CATALOG.genAiClientTokenUsage, tokens('input')),
      output: group.histogram(CATALOG.genAiClientTokenUsage, tokens('output')),
      firstChunk: group.histogram(CATALOG.genAiClientTimeToFirstChunk, labels),
      perChunk: group.histogram(CATALOG.genAiClientTimePerOutputChunk, labels),
      serverDuration: group.histogram(CATALOG.genAiServerRequestDuration, withError),
      serverFirstToken: group.histogram(CATALOG.genAiServerTimeToFirstToken, labels),
      perToken: group.histogram(CATALOG.genAiServerTimePerOutputToken, labels),
    };
    this.series.set(key, series);
    return series;
  }

  /** The duration cell of failed calls under one `error.type`. */
  private failureFor(
    operation: GenAiOperation,
    model: string,
    response: string | undefined,
    errorType: string,
  ): BoundHistogram {
    const key = `${operation}\u0000${model}\u0000${response ?? ''}\u0000${errorType}`;
    let cell = this.failures.get(key);
    if (cell !== undefined) return cell;
    const labels = {
      ...this.labels(operation, model, response),
      'error.type': errorType,
    } as GenAiErrorLabels;
    if (this.failures.size >= MAX_SERIES) return recorderCell(overflow.duration as never, labels as never);
    cell = this.group.histogram(CATALOG.genAiClientOperationDuration, labels);
    this.failures.set(key, cell);
    return cell;
  }

  /** Ollama accepted a call for `model` (answered it, or started its stream): the name is a real model. */
  accept(model: string): void {
    if (this.accepted.size < MAX_SERIES) this.accepted.add(model);
  }

  /**
   * A call that succeeded: its duration in seconds and the usage its answer (or final chunk) reported;
   * `span`, the call's span, is the duration's exemplar when it is sampled.
   */
  succeeded(
    operation: GenAiOperation,
    model: string,
    seconds: number,
    usage: Usage | undefined,
    span?: Span,
  ): void {
    try {
      this.accept(model);
      const response = responseModel(usage);
      const series = this.seriesFor(operation, model, response);
      recordWithSpan(series.duration, seconds, span);
      if (usage !== undefined) this.recordUsage(operation, response ?? model, series, usage);
    } catch (error) {
      reportInstrumentationError('ollama GenAI metrics', error);
    }
  }

  /** Token counts, the server's own timings and a model load, from what Ollama reported. */
  private recordUsage(operation: GenAiOperation, answeredBy: string, series: Series, usage: Usage): void {
    const {
      prompt_eval_count: input,
      eval_count: output,
      eval_duration: evalNs,
      total_duration: totalNs,
      load_duration: loadNs,
      prompt_eval_duration: promptNs,
    } = usage;
    if (typeof input === 'number') series.input.record(input);
    if (positive(totalNs)) series.serverDuration.record(totalNs / 1e9);
    if (positive(loadNs) && loadNs / 1e9 >= COLD_START_MIN_LOAD_SECONDS)
      this.loaded(answeredBy, loadNs / 1e9);
    if (operation === 'embeddings') return; // no output tokens, so no first token and no time per token
    if (typeof output === 'number') series.output.record(output);
    // Time to first token as Ollama reports it: its scheduler handing over a loaded runner (queue and load)
    // plus prompt evaluation; the first output token is sampled at the end of prompt evaluation.
    const firstTokenNs = (positive(loadNs) ? loadNs : 0) + (positive(promptNs) ? promptNs : 0);
    if (firstTokenNs > 0) series.serverFirstToken.record(firstTokenNs / 1e9);
    if (typeof output === 'number' && output > 0 && positive(evalNs)) {
      series.perToken.record(evalNs / output / 1e9);
    }
  }

  /** A model load (cold start) of `seconds` that Ollama reported for `model`. */
  private loaded(model: string, seconds: number): void {
    let cell = this.loads.get(model);
    if (cell === undefined) {
      const labels = { pool_name: this.poolName, model };
      if (this.loads.size >= MAX_SERIES) {
        overflow.load.record(seconds, labels);
        return;
      }
      cell = this.group.histogram(CATALOG.ollamaModelLoadDurationSeconds, labels);
      this.loads.set(model, cell);
    }
    cell.record(seconds);
  }

  /**
   * A call that failed, under its `error.type`; under `other` for a model Ollama has not accepted.
   * `response` is the answering model when a stream had begun.
   */
  failed(
    operation: GenAiOperation,
    model: string,
    seconds: number,
    errorType: string,
    response?: string,
    span?: Span,
  ): void {
    try {
      const reported = this.accepted.has(model) ? model : OVERFLOW_LABEL_VALUE;
      recordWithSpan(this.failureFor(operation, reported, response, errorType), seconds, span);
    } catch (error) {
      reportInstrumentationError('ollama GenAI metrics', error);
    }
  }

  /** Stops reporting this client's series (their counts stay in series other clients share). */
  dispose(): void {
    this.group.dispose();
    this.series.clear();
    this.failures.clear();
    this.loads.clear();
    this.accepted.clear();
  }
}

export { responseModel };
