import {
  type BoundHistogram,
  CATALOG,
  type CounterCell,
  createMetricGroup,
  type MetricGroup,
  metricRegistry,
} from '@sightglass/core';
import { CLIENT_CLOSED_STATUS, UNMATCHED_ROUTE } from './route.js';

/** Options every adapter takes. */
export interface RequestMetricsOptions {
  /**
   * Also record `http.server.request.duration` with the OpenTelemetry HTTP semantic-convention attributes,
   * for backends that build on them. Default `false`: it doubles the histogram work per request.
   */
  semanticConventions?: boolean;
  /** Paths not to measure (exact match), e.g. `['/metrics', '/livez']` so scrapes and probes do not count. */
  ignorePaths?: readonly string[];
}

/** One request being measured. */
export interface RequestMeasurement {
  /** Sets the route template once it is known (Express knows it only after routing). */
  setRoute(route: string): void;
  /** Records the request with the status sent; `closed` when the client left before the response ended. */
  finish(status: number, closed: boolean): void;
}

interface InFlight {
  count: number;
}

/** What one (method, route) keeps: its in-flight counter and its prepared outcomes by status. */
interface RouteEntry {
  readonly flight: InFlight;
  readonly outcomes: Map<number, Outcome>;
  closed: Outcome | undefined;
}

/** One request being measured (a class, not closures: one small object per request). */
class Measurement implements RequestMeasurement {
  readonly started = performance.now();
  private done = false;

  constructor(
    private readonly recorder: RequestRecorder,
    readonly method: string,
    public route: string,
    public entry: RouteEntry,
  ) {}

  setRoute(route: string): void {
    if (!this.done && route !== this.route) this.recorder.move(this, route);
  }

  finish(statusCode: number, closed: boolean): void {
    if (this.done) return;
    this.done = true;
    this.recorder.record(this, statusCode, closed);
  }
}

/** Everything recorded when a request of one (method, route, status) ends, prepared once. */
interface Outcome {
  readonly duration: BoundHistogram;
  readonly total: CounterCell;
  readonly semconv: BoundHistogram | undefined;
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
    this.semanticConventions = options.semanticConventions === true;
  }

  /** Whether any path is left out (so callers can skip computing the path). */
  get ignoresAny(): boolean {
    return this.ignored.size > 0;
  }

  /** Whether a path is left out of the metrics. */
  ignores(path: string): boolean {
    return this.ignored.has(path);
  }

  /** Starts measuring a request with its method label and, if known already, its route. */
  start(method: string, route: string = UNMATCHED_ROUTE): RequestMeasurement {
    const entry = this.routeEntry(method, route);
    entry.flight.count++;
    return new Measurement(this, method, route, entry);
  }

  /** Moves a request in flight to its route (Express learns it after routing). */
  move(measurement: Measurement, route: string): void {
    measurement.entry.flight.count--;
    measurement.route = route;
    measurement.entry = this.routeEntry(measurement.method, route);
    measurement.entry.flight.count++;
  }

  /** Records a finished request: a lookup by status code on its route's entry, then increments. */
  record(measurement: Measurement, statusCode: number, closed: boolean): void {
    const entry = measurement.entry;
    entry.flight.count--;
    const seconds = (performance.now() - measurement.started) / 1000;
    let outcome = closed ? entry.closed : entry.outcomes.get(statusCode);
    if (outcome === undefined) {
      outcome = this.prepareOutcome(
        measurement.method,
        measurement.route,
        closed ? CLIENT_CLOSED_STATUS : String(statusCode),
        closed,
      );
      if (closed) entry.closed = outcome;
      else if (entry.outcomes.size < 100) entry.outcomes.set(statusCode, outcome);
    }
    outcome.duration.record(seconds);
    outcome.total.inc();
    outcome.semconv?.record(seconds);
  }

  /** Stops reporting this recorder's counters and gauges. */
  dispose(): void {
    this.group.dispose();
  }

  /** The outcome of a label set, shared by every raw (method, route, status) the label guard maps to it. */
  private prepareOutcome(method: string, route: string, status: string, closed: boolean): Outcome {
    const labels = { method, route, status };
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
      flight: this.flightFor(method, route),
      outcomes: new Map(),
      closed: undefined,
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
