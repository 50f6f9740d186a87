import type { Span } from '@opentelemetry/api';
import {
  type BoundHistogram,
  CATALOG,
  type CounterCell,
  createMetricGroup,
  type MetricGroup,
  metricRegistry,
} from '@sightglass/core';
import { sampledSpanContext } from '@sightglass/core/internal';
import { CLIENT_CLOSED_STATUS, UNMATCHED_ROUTE } from './route.js';

/** Options every adapter takes. */
export interface RequestMetricsOptions {
  /**
   * Also record `http.server.request.duration` with the OpenTelemetry HTTP semantic-convention attributes,
   * for backends that build on them. Default `false`: it doubles the histogram work per request.
   * @default false
   */
  semanticConventions?: boolean;
  /**
   * Paths not to measure (exact match), e.g. `['/metrics', '/livez']` so scrapes and probes do not count.
   * @default none: every path is measured
   */
  ignorePaths?: readonly string[];
  /**
   * Tracing of requests, when OpenTelemetry has a context manager registered: the route template handed to
   * the server span of an HTTP instrumentation (`@opentelemetry/instrumentation-http`, which then has
   * `http.route` on its span, span name and `http.server.request.duration`), or, where no HTTP
   * instrumentation made a server span and a tracer provider is registered, a server span of our own,
   * active for the handler and continuing the caller's trace. `false` turns both off. Paths left out by
   * `ignorePaths` are not traced either.
   * @default true
   */
  tracing?: boolean;
}

/** One request being measured. */
export interface RequestMeasurement {
  /** Sets the route template once it is known (Express knows it only after routing). */
  setRoute(route: string): void;
  /**
   * Records the request with the status sent, once (later calls do nothing). With `clientClosed`, the
   * client left before the response ended: recorded as status `499`, whatever status had been started.
   */
  finish(status: number, options?: FinishOptions): void;
}

/** How a measured request ended, beside its status. */
export interface FinishOptions {
  /**
   * The client closed the connection before the response ended (`!response.writableFinished` at `close`).
   * @default false
   */
  clientClosed?: boolean;
}

interface InFlight {
  count: number;
}

/**
 * What one (method, route) keeps: its in-flight counter and its prepared outcomes by status. Adapters hold
 * it for the request's lifetime (see {@link RequestRecorder.enter}); it is not part of the public API.
 */
export interface RouteEntry {
  readonly method: string;
  readonly route: string;
  readonly flight: InFlight;
  readonly outcomes: Map<number, Outcome>;
  closed: Outcome | undefined;
  /** The last status recorded and its outcome: nearly every request of a route ends with the same status. */
  lastStatus: number;
  lastOutcome: Outcome | undefined;
}

/** One request being measured through the public API (a class, not closures: one small object). */
class Measurement implements RequestMeasurement {
  readonly started = performance.now();
  private done = false;

  constructor(
    private readonly recorder: RequestRecorder,
    private entry: RouteEntry,
  ) {}

  setRoute(route: string): void {
    if (!this.done && route !== this.entry.route) this.entry = this.recorder.move(this.entry, route);
  }

  finish(statusCode: number, options?: FinishOptions): void {
    if (this.done) return;
    this.done = true;
    this.recorder.exit(this.entry, this.started, statusCode, options?.clientClosed === true, undefined);
  }
}

/** Everything recorded when a request of one (method, route, status) ends, prepared once. */
export interface Outcome {
  readonly duration: BoundHistogram;
  readonly total: CounterCell;
  readonly semconv: BoundHistogram | undefined;
}

/**
 * Records the request's duration with its sampled server span as the exemplar of the bucket it falls into
 * (in both histograms, with one time). Returns false, having recorded nothing, when the span is not sampled
 * (an unsampled trace reaches no backend, so an exemplar would lead nowhere) or its context is unusable
 * (a span that throws, ids that are not strings): the caller then records the plain value. `now` is the
 * request's end (`performance.now()`).
 */
function recordedWithExemplar(outcome: Outcome, seconds: number, now: number, span: Span): boolean {
  const spanContext = sampledSpanContext(span);
  if (spanContext === undefined) return false;
  const { traceId, spanId } = spanContext;
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return false;
  const timeMs = epochMs(now);
  outcome.duration.recordExemplar(seconds, traceId, spanId, timeMs);
  outcome.semconv?.recordExemplar(seconds, traceId, spanId, timeMs);
  return true;
}

/** How often the wall clock is read again for exemplar times (ms). */
const EPOCH_SYNC_INTERVAL_MS = 1000;
/** The wall clock's time minus `performance.now()`, as last read. */
let epochOffsetMs = 0;
let nextEpochSync = Number.NEGATIVE_INFINITY;

/**
 * The wall-clock time (whole ms since the epoch) of a `performance.now()` reading: the exemplar's time from the
 * clock read the request ends with anyway. `Date.now()` per exemplar measured about 50 ns, the whole
 * exemplar's budget; read once a second instead, so a wall-clock step (NTP, a resumed VM) shows within a
 * second and the monotonic clock's drift against it never adds up.
 */
function epochMs(now: number): number {
  if (now >= nextEpochSync) {
    epochOffsetMs = Date.now() - now;
    nextEpochSync = now + EPOCH_SYNC_INTERVAL_MS;
  }
  // Whole milliseconds, as `Date.now()` gives them (what the exposition writers print fastest).
  return Math.floor(epochOffsetMs + now);
}

/**
 * How many distinct label sets keep a prepared outcome or in-flight entry. Label values are already bounded
 * by the catalog's label guard; this bounds the raw strings keying these maps (a route function returning
 * raw paths) so memory stays bounded too. Past it, requests are still recorded, through the guard each time.
 */
const MAX_PREPARED = 5000;

/**
 * Records requests for every adapter: the duration histogram per request, `requests_total` as plain-number
 * cells per (method, route, status), and the in-flight gauge per (method, route). The label work (guarding
 * values, building attribute objects) is done once per label set and kept, so a request costs two map
 * lookups, an increment and one histogram record.
 */
export class RequestRecorder {
  private readonly group: MetricGroup = createMetricGroup();
  /** Entries by method, then by route: two lookups by the strings as they come, no key to build. */
  private readonly routes = new Map<string, Map<string, RouteEntry>>();
  private preparedRoutes = 0;
  private readonly inFlight = new Map<string, InFlight>();
  /** Outcomes by guarded label values: bounded by the label guard, so no request adds a series past it. */
  private readonly outcomesByLabels = new Map<string, Outcome>();
  private readonly ignored: ReadonlySet<string>;
  private readonly semanticConventions: boolean;

  constructor(options: RequestMetricsOptions = {}) {
    this.ignored = new Set(options.ignorePaths ?? []);
    this.ignoresAny = this.ignored.size > 0;
    this.semanticConventions = options.semanticConventions === true;
  }

  /** Whether any path is left out (so callers can skip computing the path). A field: read per request. */
  readonly ignoresAny: boolean;

  /** Whether a path is left out of the metrics. */
  ignores(path: string): boolean {
    return this.ignored.has(path);
  }

  /** Starts measuring a request with its method label and, if known already, its route. */
  start(method: string, route: string = UNMATCHED_ROUTE): RequestMeasurement {
    return new Measurement(this, this.enter(method, route));
  }

  /**
   * The adapters' path, without a measurement object: counts a request in flight under (method, route)
   * and returns the entry to hand to {@link exit} with the start time. Not for users (the entry is
   * internal); `start` is the public way.
   *
   * @internal
   */
  enter(method: string, route: string = UNMATCHED_ROUTE): RouteEntry {
    const entry = this.routeEntry(method, route);
    entry.flight.count++;
    return entry;
  }

  /**
   * Moves a request in flight to its route (Express learns it after routing); returns the new entry.
   *
   * @internal
   */
  move(entry: RouteEntry, route: string): RouteEntry {
    entry.flight.count--;
    const moved = this.routeEntry(entry.method, route);
    moved.flight.count++;
    return moved;
  }

  /**
   * Records a finished request that {@link enter} started at `started` (`performance.now()`). `span` is the
   * request's server span, known on the traced path only (pass `undefined` otherwise): when it is sampled
   * the duration is also kept as its bucket's exemplar, pointing at the span.
   *
   * @internal
   */
  exit(
    entry: RouteEntry,
    started: number,
    statusCode: number,
    closed: boolean,
    span: Span | undefined,
  ): void {
    entry.flight.count--;
    const now = performance.now();
    const seconds = (now - started) / 1000;
    let outcome: Outcome | undefined;
    if (closed) outcome = entry.closed ??= this.prepareOutcome(entry, CLIENT_CLOSED_STATUS, true);
    else if (statusCode === entry.lastStatus) outcome = entry.lastOutcome!;
    else {
      outcome = entry.outcomes.get(statusCode);
      if (outcome === undefined) {
        outcome = this.prepareOutcome(entry, String(statusCode), false);
        if (entry.outcomes.size < 100) entry.outcomes.set(statusCode, outcome);
      }
      entry.lastStatus = statusCode;
      entry.lastOutcome = outcome;
    }
    outcome.total.inc();
    // Untraced (no span): the bucket increments alone, as before tracing existed.
    if (span !== undefined && recordedWithExemplar(outcome, seconds, now, span)) return;
    outcome.duration.record(seconds);
    outcome.semconv?.record(seconds);
  }

  /** Stops reporting this recorder's counters and gauges. */
  dispose(): void {
    this.group.dispose();
  }

  /** The outcome of a label set, shared by every raw (method, route, status) the label guard maps to it. */
  private prepareOutcome(entry: RouteEntry, status: string, closed: boolean): Outcome {
    const labels = { method: entry.method, route: entry.route, status };
    const guarded = metricRegistry().guardLabels(CATALOG.requests, labels) as typeof labels;
    const key = `${guarded.method}\u0000${guarded.route}\u0000${guarded.status}`;
    let outcome = this.outcomesByLabels.get(key);
    if (outcome === undefined) {
      const code = Number(status);
      outcome = {
        duration: this.group.histogram(CATALOG.requestDurationSeconds, guarded),
        total: this.group.counter(CATALOG.requests, guarded),
        semconv: this.semanticConventions
          ? this.group.histogram(CATALOG.httpServerRequestDuration, {
              'http.request.method': guarded.method,
              'http.route': guarded.route,
              'http.response.status_code': closed ? undefined : guarded.status,
              'error.type': closed ? 'client_closed' : code >= 500 ? guarded.status : undefined,
            } as never)
          : undefined,
      };
      this.outcomesByLabels.set(key, outcome);
    }
    return outcome;
  }

  private routeEntry(method: string, route: string): RouteEntry {
    let byRoute = this.routes.get(method);
    const found = byRoute?.get(route);
    if (found !== undefined) return found;
    const entry: RouteEntry = {
      method,
      route,
      flight: this.flightFor(method, route),
      outcomes: new Map(),
      closed: undefined,
      lastStatus: -1,
      lastOutcome: undefined,
    };
    if (this.preparedRoutes < MAX_PREPARED) {
      if (byRoute === undefined) {
        byRoute = new Map();
        this.routes.set(method, byRoute); // methods are bounded: the standard ones and `_OTHER`
      }
      byRoute.set(route, entry);
      this.preparedRoutes++;
    }
    return entry;
  }

  /** The in-flight counter of a (method, route) after the label guard: one gauge series per guarded pair. */
  private flightFor(method: string, route: string): InFlight {
    const guarded = metricRegistry().guardLabels(CATALOG.requestsInFlight, { method, route }) as {
      method: string;
      route: string;
    };
    const key = `${guarded.method}\u0000${guarded.route}`;
    let flight = this.inFlight.get(key);
    if (flight === undefined) {
      const created: InFlight = { count: 0 };
      flight = created;
      this.inFlight.set(key, created);
      this.group.gauge(CATALOG.requestsInFlight, guarded, () => created.count);
    }
    return flight;
  }
}
