import { CATALOG, type MetricDefinition, type MetricSnapshot } from '@sightglass/core';
import { bucketQuantile, subtractCounts } from './bucket-quantile.js';

/** The outcome of a GenAI call that ended without an `error.type`. */
export const LLM_OK_OUTCOME = 'ok';

/** The calls to one model (`gen_ai.request.model`, or `model` of a load) at one instant. */
export interface LlmModelPoint {
  /** Calls per second since the previous sample by outcome: `ok`, or the call's `error.type`. */
  readonly callsPerSecondByOutcome: Readonly<Record<string, number>>;
  /** Time to first chunk quantiles in seconds over the quantile window; `null` when no stream began in it. */
  readonly timeToFirstChunkP50: number | null;
  readonly timeToFirstChunkP95: number | null;
  /** Output tokens per second over the quantile window (the sum of `gen_ai.client.token.usage` output). */
  readonly outputTokensPerSecond: number | null;
  /** Model loads (cold starts) Ollama reported since the previous sample. */
  readonly coldStarts: number | null;
  /** The mean duration of those loads in seconds; `null` when there were none. */
  readonly loadSeconds: number | null;
}

/** One model Ollama holds in memory, as the `/api/ps` poller reports it (summed over pools). */
export interface LoadedModelPoint {
  readonly sizeBytes: number | null;
  readonly vramBytes: number | null;
  /** Seconds until the first of its pools unloads it. */
  readonly expiresInSeconds: number | null;
}

/** The application's LLM calls at one instant. */
export interface LlmPoint {
  readonly models: Readonly<Record<string, LlmModelPoint>>;
  /** Time to first chunk quantiles over every model. */
  readonly timeToFirstChunkP50: number | null;
  readonly timeToFirstChunkP95: number | null;
  /** Output tokens per second over every model. */
  readonly outputTokensPerSecond: number | null;
  /** Whether an `/api/ps` poller reports (its failure counter is there from the poller's start). */
  readonly psPolling: boolean;
  /** `ollama_loaded_models` summed over pools; `null` until a poll succeeded. */
  readonly loadedModels: number | null;
  readonly loaded: Readonly<Record<string, LoadedModelPoint>>;
}

/** Limits of {@link LlmSampler}, the ones of the sample builder. */
export interface LlmSamplerOptions {
  /** Models kept (calls and loaded models each); the rest are left out of the dashboard. */
  readonly maxEntities: number;
  /** How many past samples quantiles and token rates look back over. */
  readonly quantileWindow: number;
}

type Series = MetricSnapshot['series'][number];
type SeriesOf = (definition: MetricDefinition) => readonly Series[];

/** A histogram's cumulative bucket counts and sum at one sample. */
interface Cumulative {
  readonly timeMs: number;
  readonly counts: readonly number[];
  readonly sum: number;
}

const REQUEST_MODEL = 'gen_ai.request.model';
const ERROR_TYPE = 'error.type';
const TOKEN_TYPE = 'gen_ai.token.type';
/** The key of every model together in the windows (no model name is empty: the client never reports one). */
const ALL = '';

/** The point of a sample with no GenAI series (nothing to show: the page hides the row). */
const NO_LLM: LlmPoint = Object.freeze({
  models: Object.freeze({}),
  timeToFirstChunkP50: null,
  timeToFirstChunkP95: null,
  outputTokensPerSecond: null,
  psPolling: false,
  loadedModels: null,
  loaded: Object.freeze({}),
});

/**
 * Turns the GenAI series the `@sightglass/ollama` client reports (semantic-convention histograms, model
 * loads, the `/api/ps` gauges) into the dashboard's LLM row: calls as rates against the previous sample,
 * time to first chunk and output tokens over the last `quantileWindow` samples, per model and overall.
 * It keeps only what the next sample needs, bounded by `maxEntities` models.
 */
export class LlmSampler {
  private previousCounters = new Map<string, number>();
  private previousTimeMs: number | undefined;
  /** Cumulative time-to-first-chunk histograms per model (and {@link ALL}), oldest first. */
  private firstChunk = new Map<string, Cumulative[]>();
  /** Cumulative output-token histograms per model (and {@link ALL}), oldest first. */
  private outputTokens = new Map<string, Cumulative[]>();
  /** Whether there were more models than `maxEntities` at the last sample. */
  truncated = false;

  constructor(private readonly options: LlmSamplerOptions) {}

  build(series: SeriesOf, timeMs: number): LlmPoint {
    const previousTimeMs = this.previousTimeMs;
    const elapsedSeconds = previousTimeMs === undefined ? undefined : (timeMs - previousTimeMs) / 1000;
    const counters = new Map<string, number>();
    /** The change of a cumulative value since the previous sample; a new series counts from 0. */
    const delta = (key: string, value: number): number | null => {
      counters.set(key, value);
      if (elapsedSeconds === undefined || elapsedSeconds <= 0) return null;
      return Math.max(0, value - (this.previousCounters.get(key) ?? 0));
    };
    const perSecond = (key: string, value: number): number | null => {
      const change = delta(key, value);
      return change === null ? null : change / elapsedSeconds!;
    };

    const durations = series(CATALOG.genAiClientOperationDuration);
    const firstChunks = series(CATALOG.genAiClientTimeToFirstChunk);
    const outputs = series(CATALOG.genAiClientTokenUsage).filter(
      ({ attributes }) => attributes[TOKEN_TYPE] === 'output',
    );
    const loads = series(CATALOG.ollamaModelLoadDurationSeconds);
    this.truncated = false;
    const names = this.limit(
      distinct([
        ...labelValues(durations, REQUEST_MODEL),
        ...labelValues(firstChunks, REQUEST_MODEL),
        ...labelValues(outputs, REQUEST_MODEL),
        ...labelValues(loads, 'model'),
      ]),
    );

    const firstChunk = new Map<string, Cumulative[]>();
    const outputTokens = new Map<string, Cumulative[]>();
    const window = (
      from: Map<string, Cumulative[]>,
      into: Map<string, Cumulative[]>,
      key: string,
      histograms: readonly Series[],
      boundaries: readonly number[],
    ): { counts: number[]; sum: number; seconds: number } | null => {
      const current = cumulative(histograms, boundaries, timeMs);
      // A model first seen after the first sample started from nothing within the last interval.
      const kept = from.get(key) ?? (previousTimeMs === undefined ? [] : [zero(boundaries, previousTimeMs)]);
      const entries = [...kept, current].slice(-(this.options.quantileWindow + 1));
      into.set(key, entries);
      const oldest = entries[0]!;
      if (oldest === current) return null;
      return {
        counts: subtractCounts(current.counts, oldest.counts),
        sum: Math.max(0, current.sum - oldest.sum),
        seconds: (current.timeMs - oldest.timeMs) / 1000,
      };
    };
    const figures = (key: string, ofModel: (candidate: Series) => boolean) => {
      const chunkBoundaries = CATALOG.genAiClientTimeToFirstChunk.boundaries ?? [];
      const chunks = window(this.firstChunk, firstChunk, key, firstChunks.filter(ofModel), chunkBoundaries);
      const outputsOfModel = outputs.filter(ofModel);
      const tokens = window(
        this.outputTokens,
        outputTokens,
        key,
        outputsOfModel,
        CATALOG.genAiClientTokenUsage.boundaries ?? [],
      );
      return {
        timeToFirstChunkP50: chunks && bucketQuantile(chunkBoundaries, chunks.counts, 0.5),
        timeToFirstChunkP95: chunks && bucketQuantile(chunkBoundaries, chunks.counts, 0.95),
        // No output-token series (embeddings only, or no answer yet): no figure rather than a 0.
        outputTokensPerSecond:
          tokens && tokens.seconds > 0 && outputsOfModel.length > 0 ? tokens.sum / tokens.seconds : null,
      };
    };

    const models: Record<string, LlmModelPoint> = {};
    for (const name of names) {
      const ofModel = ({ attributes }: Series) => attributes[REQUEST_MODEL] === name;
      const byOutcome = new Map<string, number>();
      for (const candidate of durations) {
        if (!ofModel(candidate)) continue;
        const outcome = String(candidate.attributes[ERROR_TYPE] ?? LLM_OK_OUTCOME);
        byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + candidate.value);
      }
      const callsPerSecondByOutcome: Record<string, number> = {};
      for (const [outcome, calls] of [...byOutcome].sort(([a], [b]) => compareOutcomes(a, b))) {
        const rate = perSecond(`calls\0${name}\0${outcome}`, calls);
        if (rate !== null) callsPerSecondByOutcome[outcome] = rate;
      }
      let loadCount = 0;
      let loadSum = 0;
      for (const { attributes, histogram } of loads) {
        if (attributes.model !== name || histogram === undefined) continue;
        loadCount += histogram.count;
        loadSum += histogram.sum;
      }
      const coldStarts = delta(`loads\0${name}`, loadCount);
      const loadedSeconds = delta(`load-seconds\0${name}`, loadSum);
      models[name] = {
        callsPerSecondByOutcome,
        ...figures(name, ofModel),
        coldStarts,
        loadSeconds: coldStarts ? loadedSeconds! / coldStarts : null,
      };
    }
    const overall = figures(ALL, () => true);
    const loaded = this.loadedModels(series);

    this.previousCounters = counters;
    this.previousTimeMs = timeMs;
    this.firstChunk = firstChunk;
    this.outputTokens = outputTokens;
    // A service without an Ollama client keeps one shared point per sample, not objects of its own.
    const nothing = names.length === 0 && !loaded.psPolling && Object.keys(loaded.loaded).length === 0;
    if (nothing && overall.timeToFirstChunkP50 === null && overall.outputTokensPerSecond === null)
      return NO_LLM;
    return { models, ...overall, ...loaded };
  }

  /** The `/api/ps` poller's gauges: loaded models per pool, and each model's memory and expiry. */
  private loadedModels(series: SeriesOf): Pick<LlmPoint, 'psPolling' | 'loadedModels' | 'loaded'> {
    const counts = series(CATALOG.ollamaLoadedModels);
    const psPolling = counts.length > 0 || series(CATALOG.ollamaPsPollFailures).length > 0;
    const sizes = series(CATALOG.ollamaModelSizeBytes);
    const vram = series(CATALOG.ollamaModelVramBytes);
    const expiries = series(CATALOG.ollamaModelExpiresInSeconds);
    const loaded: Record<string, LoadedModelPoint> = {};
    const names = this.limit(distinct([sizes, vram, expiries].flatMap((of) => labelValues(of, 'model'))));
    for (const name of names) {
      const values = (of: readonly Series[]) =>
        of.filter(({ attributes }) => attributes.model === name).map(({ value }) => value);
      const total = (of: readonly Series[]) => {
        const found = values(of);
        return found.length === 0 ? null : found.reduce((sum, value) => sum + value, 0);
      };
      const expiresIn = values(expiries);
      loaded[name] = {
        sizeBytes: total(sizes),
        vramBytes: total(vram),
        expiresInSeconds: expiresIn.length === 0 ? null : Math.min(...expiresIn),
      };
    }
    return {
      psPolling,
      loadedModels: counts.length === 0 ? null : counts.reduce((sum, { value }) => sum + value, 0),
      loaded,
    };
  }

  private limit(names: string[]): string[] {
    if (names.length > this.options.maxEntities) this.truncated = true;
    return names.slice(0, this.options.maxEntities);
  }
}

/** `ok` first, then the error types in order. */
export function compareOutcomes(a: string, b: string): number {
  if (a === LLM_OK_OUTCOME || b === LLM_OK_OUTCOME) return a === b ? 0 : a === LLM_OK_OUTCOME ? -1 : 1;
  return a.localeCompare(b);
}

function labelValues(series: readonly Series[], label: string): string[] {
  const values: string[] = [];
  for (const { attributes } of series) {
    const value = attributes[label];
    if (typeof value === 'string') values.push(value);
  }
  return values;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** The bucket counts and sum of the given histogram series added up. */
function cumulative(series: readonly Series[], boundaries: readonly number[], timeMs: number): Cumulative {
  const counts = new Array<number>(boundaries.length + 1).fill(0);
  let sum = 0;
  for (const { histogram } of series) {
    if (histogram === undefined) continue;
    histogram.counts.forEach((count, index) => {
      counts[index]! += count;
    });
    sum += histogram.sum;
  }
  return { timeMs, counts, sum };
}

function zero(boundaries: readonly number[], timeMs: number): Cumulative {
  return { timeMs, counts: new Array<number>(boundaries.length + 1).fill(0), sum: 0 };
}
