import {
  CATALOG,
  createMetricGroup,
  type HistogramCell,
  histogramRecorder,
  type LabelValues,
  OVERFLOW_LABEL_VALUE,
  reportInstrumentationError,
} from '@sightglass/core';

/** `gen_ai.operation.name` of the calls that are GenAI operations (generate is a text completion). */
export type GenAiOperation = 'chat' | 'text_completion' | 'embeddings';

/** The token counts and timings Ollama reports on a final chunk or answer (durations in ns). */
export interface Usage {
  prompt_eval_count?: number;
  eval_count?: number;
  eval_duration?: number;
}

/** The GenAI labels; `error.type` is given as `undefined` on success, and then left out of the series. */
type GenAiLabels = LabelValues<typeof CATALOG.genAiClientOperationDuration>;

/** The series of one operation, model and outcome: made once, so recording is a bucket increment. */
interface Series {
  duration: HistogramCell;
  input: HistogramCell;
  output: HistogramCell;
  firstChunk: HistogramCell;
  perToken: HistogramCell;
}

/**
 * How many operation × model × outcome combinations keep their own cells; past it (a flood of model
 * names) recording goes through a shared recorder, which the label guard bounds.
 */
const MAX_SERIES = 1000;

const overflow = {
  duration: histogramRecorder(CATALOG.genAiClientOperationDuration),
  tokens: histogramRecorder(CATALOG.genAiClientTokenUsage),
  firstChunk: histogramRecorder(CATALOG.genAiClientTimeToFirstChunk),
  perToken: histogramRecorder(CATALOG.genAiServerTimePerOutputToken),
};

/**
 * Records the GenAI semantic-convention metrics of one client's calls, in a metric group that `dispose()`
 * stops. Nothing here throws into the call that is being measured.
 *
 * A model name is reported only once Ollama has accepted a call for it (answered one, or started a
 * stream); a failed call for a model it has not accepted (a 404 for a model it does not have, a typo, a
 * name nobody pulled) is reported under `other`. So names Ollama refused never take any of the label
 * guard's slots, and a flood of them cannot leave a real model reported as `other`.
 */
export class GenAiMetrics {
  private readonly group = createMetricGroup();
  private readonly series = new Map<string, Series>();
  /** The models Ollama accepted a call for, at most {@link MAX_SERIES}. */
  private readonly accepted = new Set<string>();

  constructor(
    private readonly address: string,
    private readonly port: number,
  ) {}

  private labels(operation: GenAiOperation, model: string, errorType: string | undefined): GenAiLabels {
    const labels = {
      'gen_ai.operation.name': operation,
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': model,
      'error.type': errorType,
      'server.address': this.address,
      'server.port': String(this.port),
    };
    return labels as GenAiLabels;
  }

  private seriesFor(operation: GenAiOperation, model: string, errorType: string | undefined): Series {
    const key = `${operation}\u0000${model}\u0000${errorType ?? ''}`;
    let series = this.series.get(key);
    if (series !== undefined) return series;
    const labels = this.labels(operation, model, errorType);
    if (this.series.size >= MAX_SERIES) {
      const tokens = (type: string): HistogramCell =>
        ({
          record: (value: number) => overflow.tokens.record(value, { ...labels, 'gen_ai.token.type': type }),
        }) as HistogramCell;
      return {
        duration: { record: (v: number) => overflow.duration.record(v, labels) } as HistogramCell,
        input: tokens('input'),
        output: tokens('output'),
        firstChunk: { record: (v: number) => overflow.firstChunk.record(v, labels) } as HistogramCell,
        perToken: { record: (v: number) => overflow.perToken.record(v, labels) } as HistogramCell,
      };
    }
    series = {
      duration: this.group.histogram(CATALOG.genAiClientOperationDuration, labels),
      input: this.group.histogram(CATALOG.genAiClientTokenUsage, { ...labels, 'gen_ai.token.type': 'input' }),
      output: this.group.histogram(CATALOG.genAiClientTokenUsage, {
        ...labels,
        'gen_ai.token.type': 'output',
      }),
      firstChunk: this.group.histogram(CATALOG.genAiClientTimeToFirstChunk, labels),
      perToken: this.group.histogram(CATALOG.genAiServerTimePerOutputToken, labels),
    };
    this.series.set(key, series);
    return series;
  }

  /** Ollama accepted a call for `model` (answered it, or started its stream): the name is a real model. */
  accept(model: string): void {
    if (this.accepted.size < MAX_SERIES) this.accepted.add(model);
  }

  /** A call that succeeded: its duration in seconds and the usage its answer reported. */
  succeeded(operation: GenAiOperation, model: string, seconds: number, usage: Usage | undefined): void {
    try {
      this.accept(model);
      const series = this.seriesFor(operation, model, undefined);
      series.duration.record(seconds);
      if (usage === undefined) return;
      const { prompt_eval_count: input, eval_count: output, eval_duration: evalNs } = usage;
      if (typeof input === 'number') series.input.record(input);
      if (typeof output === 'number' && operation !== 'embeddings') {
        series.output.record(output);
        if (output > 0 && typeof evalNs === 'number' && evalNs > 0) {
          series.perToken.record(evalNs / output / 1e9);
        }
      }
    } catch (error) {
      reportInstrumentationError('ollama GenAI metrics', error);
    }
  }

  /** A call that failed, under its `error.type`; under `other` for a model Ollama has not accepted. */
  failed(operation: GenAiOperation, model: string, seconds: number, errorType: string): void {
    try {
      const reported = this.accepted.has(model) ? model : OVERFLOW_LABEL_VALUE;
      this.seriesFor(operation, reported, errorType).duration.record(seconds);
    } catch (error) {
      reportInstrumentationError('ollama GenAI metrics', error);
    }
  }

  /** The time from sending a streamed request to its first chunk, in seconds. */
  firstChunk(operation: GenAiOperation, model: string, seconds: number): void {
    try {
      this.seriesFor(operation, model, undefined).firstChunk.record(seconds);
    } catch (error) {
      reportInstrumentationError('ollama GenAI metrics', error);
    }
  }

  /** Stops reporting this client's series (their counts stay in series other clients share). */
  dispose(): void {
    this.group.dispose();
    this.series.clear();
    this.accepted.clear();
  }
}
