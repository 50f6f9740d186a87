import {
  DEFAULT_HEALTH_MAX_AGE_MS,
  ErrorCode,
  type HealthRegistry,
  type HealthReport,
  healthRegistry,
  type MetricRegistry,
  metricRegistry,
} from '@sightglass/core';
import { reportInstrumentationError, validateInteger } from '@sightglass/core/internal';
import { compareOutcomes } from './dashboard-llm-sample.js';
import { type DashboardSample, SampleBuilder } from './dashboard-sample.js';
import {
  SLOW_REQUESTS_SHOWN,
  SlowRequests,
  type SlowRequestsData,
  validateTraceUrl,
} from './dashboard-slow-requests.js';

/** Options of the dashboard's history (see the package README for the memory each option costs). */
export interface DashboardHistoryOptions {
  /**
   * How often a sample is taken, in milliseconds; at least 100.
   * @default 1000
   */
  intervalMs?: number;
  /**
   * Samples kept: the memory bound. A sample holds a few numbers per breaker, pool and cache: the default
   * with ten of each takes about 700 KB of heap.
   * @default 300 (five minutes at one sample a second)
   */
  historyLength?: number;
  /**
   * Breakers, pools, caches and LLM models shown per kind; the rest are left out of the dashboard only.
   * @default 50
   */
  maxEntities?: number;
  /**
   * How often the dashboard asks the health registry's evaluator for a report while the page is open, in
   * milliseconds (rounded up to a sampling interval; a report `/health` produced within the last second is
   * reused). Default 2000: a check may be a network call (a Redis ping), yet the summary should keep up
   * with the tiles. With no page open, the dashboard runs none; it shows the last report either way.
   * @default 2000
   */
  healthIntervalMs?: number;
  /**
   * Turns the trace ids of the slowest recent requests into links: a URL template holding `{traceId}` (and,
   * if it likes, `{spanId}`), http or https, such as `http://localhost:16686/trace/{traceId}` (Jaeger) or a
   * Grafana Explore URL. Default none: the ids are shown as text.
   * @default none: the ids are shown as text
   */
  traceUrl?: string;
  /**
   * The metric registry to sample.
   * @default the process-wide one
   */
  registry?: MetricRegistry;
  /**
   * The health registry to summarize.
   * @default the process-wide one
   */
  health?: HealthRegistry;
}

/** The history as the dashboard page reads it: one array per series, aligned with `time`. */
export interface DashboardData {
  readonly intervalMs: number;
  readonly historyLength: number;
  /** Whether some breakers, pools, caches or models were left out (more than `maxEntities`). */
  readonly truncated: boolean;
  /** Seconds since the epoch, oldest first. */
  readonly time: readonly number[];
  readonly breakers: Record<string, Record<'state' | 'failuresPerSecond' | 'rejectionsPerSecond', Column>>;
  readonly pools: Record<
    string,
    Record<'active' | 'idle' | 'pending' | 'max' | 'utilizationPercent' | 'waitP50' | 'waitP95', Column>
  >;
  readonly caches: Record<
    string,
    Record<'hitRatePercent' | 'entries' | 'hitsPerSecond' | 'missesPerSecond', Column>
  >;
  readonly requests: {
    readonly perSecondByStatus: Record<string, Column>;
    readonly p50: Column;
    readonly p95: Column;
    readonly p99: Column;
    readonly inFlight: Column;
  };
  /**
   * The LLM calls the `@sightglass/ollama` client reports, per model (`gen_ai.request.model`) and over every
   * model; `models` is empty and `psPolling` false when no GenAI series were seen (the page hides the row).
   */
  readonly llm: {
    readonly models: Record<
      string,
      { readonly callsPerSecondByOutcome: Record<string, Column> } & Record<
        | 'timeToFirstChunkP50'
        | 'timeToFirstChunkP95'
        | 'outputTokensPerSecond'
        | 'coldStarts'
        | 'loadSeconds',
        Column
      >
    >;
    readonly timeToFirstChunkP50: Column;
    readonly timeToFirstChunkP95: Column;
    readonly outputTokensPerSecond: Column;
    /** Whether an `/api/ps` poller reports at the latest sample (the client's `psPoll`). */
    readonly psPolling: boolean;
    readonly loadedModels: Column;
    readonly loaded: Record<string, Record<'sizeBytes' | 'vramBytes' | 'expiresInSeconds', Column>>;
  };
  /**
   * The slowest requests of the history shown whose spans were sampled, from the exemplars of
   * `request_duration_seconds` (empty without tracing: only sampled spans leave exemplars).
   */
  readonly slowRequests: SlowRequestsData;
  /**
   * The health registry's last report (statuses only, no details), the one `/health` and `health_status`
   * read too, or `null` before the first evaluation.
   */
  readonly health: HealthReport | null;
}

/** Values aligned with `time`; `null` where the series had no value. */
export type Column = (number | null)[];

const DEFAULTS = { intervalMs: 1000, historyLength: 300, maxEntities: 50, healthIntervalMs: 2000 };
/** How long after the page's last request the health checks keep running for it. */
const VIEWER_TIMEOUT_MS = 30_000;
/** Latency quantiles look back over this many intervals, so one slow request does not make a spike alone. */
export const QUANTILE_WINDOW = 5;

/**
 * Samples the metric registry on a timer into a ring of at most `historyLength` samples. Sampling never
 * throws into the application: a failure is reported once through the OTel diagnostics and the sample skipped.
 */
export class DashboardHistory {
  readonly intervalMs: number;
  readonly historyLength: number;
  private readonly samples: (DashboardSample | undefined)[];
  private next = 0;
  private size = 0;
  private readonly builder: SampleBuilder;
  private readonly slowRequests: SlowRequests;
  private readonly registry: MetricRegistry;
  private readonly healthRegistry: HealthRegistry;
  private readonly healthIntervalMs: number;
  private healthEvaluatedAt = Number.NEGATIVE_INFINITY;
  /** When the page last asked for data: health checks run only while someone is looking. */
  private viewedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: DashboardHistoryOptions = {}) {
    this.intervalMs = integerOption(options.intervalMs, DEFAULTS.intervalMs, 100, 'intervalMs');
    this.historyLength = integerOption(options.historyLength, DEFAULTS.historyLength, 2, 'historyLength');
    const maxEntities = integerOption(options.maxEntities, DEFAULTS.maxEntities, 1, 'maxEntities');
    this.healthIntervalMs = integerOption(
      options.healthIntervalMs,
      DEFAULTS.healthIntervalMs,
      100,
      'healthIntervalMs',
    );
    this.samples = new Array(this.historyLength);
    this.builder = new SampleBuilder({ maxEntities, quantileWindow: QUANTILE_WINDOW });
    this.slowRequests = new SlowRequests({
      windowMs: this.historyLength * this.intervalMs,
      shown: SLOW_REQUESTS_SHOWN,
      traceUrl: validateTraceUrl(options.traceUrl),
    });
    this.registry = options.registry ?? metricRegistry();
    this.healthRegistry = options.health ?? healthRegistry();
  }

  /** Takes a sample now and then every `intervalMs` until {@link stop}. The timer never holds the process. */
  start(): void {
    if (this.timer !== undefined) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample (the timer calls this; tests call it to step time). */
  sample(now = Date.now()): void {
    try {
      const snapshot = this.registry.snapshot();
      this.push(this.builder.build(snapshot, now));
      this.slowRequests.observe(snapshot, now);
    } catch (error) {
      reportInstrumentationError('dashboard sample', error);
    }
    const watched = now - this.viewedAt <= VIEWER_TIMEOUT_MS;
    if (watched && now - this.healthEvaluatedAt >= this.healthIntervalMs) {
      this.healthEvaluatedAt = now;
      // The registry's one evaluator: it shares a run in flight and reuses a fresh report; toJSON() reads it.
      const report = (error: unknown) => reportInstrumentationError('dashboard health', error);
      try {
        this.healthRegistry.evaluate({ maxAgeMs: DEFAULT_HEALTH_MAX_AGE_MS }).catch(report);
      } catch (error) {
        report(error);
      }
    }
  }

  /**
   * Notes that the page asked for data. The metric samples are always taken (they read only counts the
   * process keeps anyway); the health checks, which may call out (a Redis ping), run only while the page is
   * open, and the first request starts them.
   */
  viewed(now = Date.now()): void {
    const first = now - this.viewedAt > VIEWER_TIMEOUT_MS;
    this.viewedAt = now;
    if (first) this.healthEvaluatedAt = Number.NEGATIVE_INFINITY;
  }

  /** The samples held, oldest first. */
  samplesInOrder(): DashboardSample[] {
    const ordered: DashboardSample[] = [];
    const start = (this.next - this.size + this.historyLength) % this.historyLength;
    for (let offset = 0; offset < this.size; offset++) {
      ordered.push(this.samples[(start + offset) % this.historyLength]!);
    }
    return ordered;
  }

  /** The history in columns, as the page's charts take it. */
  toJSON(): DashboardData {
    const samples = this.samplesInOrder();
    const column = (read: (sample: DashboardSample) => number | null | undefined): Column =>
      samples.map((sample) => read(sample) ?? null);
    const namesOf = (pick: (sample: DashboardSample) => object): string[] => [
      ...new Set(samples.flatMap((sample) => Object.keys(pick(sample)))),
    ];
    const columns = <P>(
      pick: (sample: DashboardSample) => Readonly<Record<string, P>>,
      fields: readonly (keyof P & string)[],
    ): Record<string, Record<string, Column>> =>
      Object.fromEntries(
        namesOf(pick).map((name) => [
          name,
          Object.fromEntries(
            fields.map((field) => [field, column((sample) => pick(sample)[name]?.[field] as number | null)]),
          ),
        ]),
      );
    const statuses = [
      ...new Set(samples.flatMap((sample) => Object.keys(sample.requests.perSecondByStatus))),
    ];
    return {
      intervalMs: this.intervalMs,
      historyLength: this.historyLength,
      truncated: this.builder.truncated,
      time: samples.map((sample) => sample.time),
      breakers: columns((sample) => sample.breakers, ['state', 'failuresPerSecond', 'rejectionsPerSecond']),
      pools: columns(
        (sample) => sample.pools,
        ['active', 'idle', 'pending', 'max', 'utilizationPercent', 'waitP50', 'waitP95'],
      ),
      caches: columns(
        (sample) => sample.caches,
        ['hitRatePercent', 'entries', 'hitsPerSecond', 'missesPerSecond'],
      ),
      requests: {
        perSecondByStatus: Object.fromEntries(
          statuses
            .sort()
            .map((status) => [status, column((sample) => sample.requests.perSecondByStatus[status])]),
        ),
        p50: column((sample) => sample.requests.p50),
        p95: column((sample) => sample.requests.p95),
        p99: column((sample) => sample.requests.p99),
        inFlight: column((sample) => sample.requests.inFlight),
      },
      llm: this.llmColumns(samples, column, columns),
      slowRequests: this.slowRequests.toJSON(),
      health: this.healthSummary(),
    } as DashboardData;
  }

  private llmColumns(
    samples: readonly DashboardSample[],
    column: (read: (sample: DashboardSample) => number | null | undefined) => Column,
    columns: <P>(
      pick: (sample: DashboardSample) => Readonly<Record<string, P>>,
      fields: readonly (keyof P & string)[],
    ) => Record<string, Record<string, Column>>,
  ): DashboardData['llm'] {
    const models = columns(
      (sample) => sample.llm.models,
      ['timeToFirstChunkP50', 'timeToFirstChunkP95', 'outputTokensPerSecond', 'coldStarts', 'loadSeconds'],
    );
    for (const [name, fields] of Object.entries(models)) {
      const outcomes = new Set(
        samples.flatMap((sample) => Object.keys(sample.llm.models[name]?.callsPerSecondByOutcome ?? {})),
      );
      (fields as Record<string, unknown>).callsPerSecondByOutcome = Object.fromEntries(
        [...outcomes]
          .sort(compareOutcomes)
          .map((outcome) => [
            outcome,
            column((sample) => sample.llm.models[name]?.callsPerSecondByOutcome[outcome]),
          ]),
      );
    }
    return {
      models: models as DashboardData['llm']['models'],
      timeToFirstChunkP50: column((sample) => sample.llm.timeToFirstChunkP50),
      timeToFirstChunkP95: column((sample) => sample.llm.timeToFirstChunkP95),
      outputTokensPerSecond: column((sample) => sample.llm.outputTokensPerSecond),
      psPolling: samples.at(-1)?.llm.psPolling ?? false,
      loadedModels: column((sample) => sample.llm.loadedModels),
      loaded: columns((sample) => sample.llm.loaded, ['sizeBytes', 'vramBytes', 'expiresInSeconds']),
    };
  }

  private healthSummary(): HealthReport | null {
    const report = this.healthRegistry.lastReport;
    return report === undefined ? null : withoutDetails(report);
  }

  private push(sample: DashboardSample): void {
    this.samples[this.next] = sample;
    this.next = (this.next + 1) % this.historyLength;
    this.size = Math.min(this.size + 1, this.historyLength);
  }
}

/** Statuses only: details can name hosts and carry error messages, and the page shows none of them. */
function withoutDetails(report: HealthReport): HealthReport {
  const components: HealthReport['components'] = {};
  for (const [component, checks] of Object.entries(report.components)) {
    components[component] = Object.fromEntries(
      Object.entries(checks).map(([name, { status, critical }]) => [name, { status, critical }]),
    );
  }
  return { status: report.status, components };
}

function integerOption(value: number | undefined, fallback: number, minimum: number, name: string): number {
  if (value === undefined) return fallback;
  return validateInteger(value, `dashboard option ${name}`, { code: ErrorCode.INVALID_CONFIG, min: minimum });
}
