import { CATALOG, ErrorCode, type MetricSnapshot, SightglassError } from '@sightglass/core';

/** One request whose span was sampled, kept as an exemplar of `request_duration_seconds`. */
export interface SlowRequest {
  /** The request's trace: 32 lowercase hex digits. */
  readonly traceId: string;
  /** The span it was measured in: 16 lowercase hex digits. */
  readonly spanId: string;
  readonly method: string;
  /** The route template (`/v1/chat`, or `other` past the label budget), as the metric's label holds it. */
  readonly route: string;
  readonly status: string;
  readonly durationSeconds: number;
  /** When it was recorded, in milliseconds since the epoch. */
  readonly timeMs: number;
  /** Seconds between its recording and the latest sample. */
  readonly ageSeconds: number;
  /** The `traceUrl` option with the ids filled in; absent without that option. */
  readonly traceUrl?: string;
}

/** The dashboard's list of the slowest recent sampled requests, as `/dashboard/data` carries it. */
export interface SlowRequestsData {
  /** How far back the list looks, in seconds: the history the page shows. */
  readonly windowSeconds: number;
  /** At most this many requests are listed. */
  readonly shown: number;
  /** The slowest first; among equal durations, the newest first. */
  readonly requests: readonly SlowRequest[];
}

/** Options of {@link SlowRequests}. */
export interface SlowRequestsOptions {
  /** How far back, in milliseconds, an exemplar counts as recent. */
  readonly windowMs: number;
  /** How many requests the list shows. */
  readonly shown: number;
  /**
   * A validated `traceUrl` template ({@link validateTraceUrl}), or undefined for no links.
   * @default none: no links
   */
  readonly traceUrl?: string | undefined;
}

/** The slow requests a page lists. */
export const SLOW_REQUESTS_SHOWN = 10;
/**
 * The most candidates kept between samples, whatever the traffic: about 260 bytes each, ids included
 * (measured with `--expose-gc`). Only a run of requests each faster than every one before it within the
 * window comes near it (see {@link SlowRequests}).
 */
export const SLOW_REQUESTS_KEPT = 1000;

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const TRACE_ID_TOKEN = '{traceId}';
const SPAN_ID_TOKEN = '{spanId}';

type Candidate = Omit<SlowRequest, 'ageSeconds' | 'traceUrl'>;

/** A series' exemplars as a sample saw them: per bucket, the time and span id (`undefined` where none). */
interface Slots {
  readonly timeMs: (number | undefined)[];
  readonly spanIds: (string | undefined)[];
}

/** A candidate's key: its span id, since a span measures one request (and building a longer key costs more). */
function keyOf(ids: { spanId: string }): string {
  return ids.spanId;
}

/**
 * The slowest sampled requests of the last `windowMs`, from the exemplars `request_duration_seconds` keeps
 * (the last one per bucket of each series). Each sample adds the exemplars it has not seen, so one that a
 * later request in its bucket replaces stays listed until it ages out, and drops the candidates that can
 * never be listed again: those with at least `shown` others as slow or slower recorded no earlier, which
 * stay in the window at least as long. What is left is small (about `shown` × ln of the requests seen, for
 * durations in no particular order) and never more than {@link SLOW_REQUESTS_KEPT}.
 */
export class SlowRequests {
  private candidates = new Map<string, Candidate>();
  /** Each request-duration series' exemplars at the previous sample, by its labels. */
  private slots = new Map<string, Slots>();
  private latestMs: number | undefined;

  constructor(private readonly options: SlowRequestsOptions) {}

  /** Adds the request-duration exemplars of a registry snapshot taken at `nowMs`. */
  observe(snapshot: readonly MetricSnapshot[], nowMs: number): void {
    this.latestMs = nowMs;
    const cutoff = nowMs - this.options.windowMs;
    const durations = snapshot.find(
      ({ definition }) => definition.name === CATALOG.requestDurationSeconds.name,
    );
    const slots = new Map<string, Slots>();
    for (const { attributes, labels, histogram } of durations?.series ?? []) {
      const exemplars = histogram?.exemplars;
      if (exemplars === undefined) continue;
      // Most exemplars stay in their buckets for many samples: one already seen is skipped by comparing
      // its time and span id with what the bucket held at the previous sample, without building a key.
      const before = this.slots.get(labels);
      const now: Slots = { timeMs: new Array(exemplars.length), spanIds: new Array(exemplars.length) };
      slots.set(labels, now);
      for (let bucket = 0; bucket < exemplars.length; bucket++) {
        const exemplar = exemplars[bucket];
        if (exemplar === undefined) continue;
        const { traceId, spanId, timeMs, value } = exemplar;
        now.timeMs[bucket] = timeMs;
        now.spanIds[bucket] = spanId;
        if (timeMs < cutoff || (before?.timeMs[bucket] === timeMs && before.spanIds[bucket] === spanId))
          continue;
        const key = keyOf(exemplar);
        if (this.candidates.has(key) || !TRACE_ID.test(traceId) || !SPAN_ID.test(spanId)) continue;
        this.candidates.set(key, {
          traceId,
          spanId,
          method: String(attributes.method ?? ''),
          route: String(attributes.route ?? ''),
          status: String(attributes.status ?? ''),
          durationSeconds: value,
          timeMs,
        });
      }
    }
    this.slots = slots;
    this.prune(cutoff);
  }

  /** The list at the latest sample. */
  toJSON(): SlowRequestsData {
    const latestMs = this.latestMs ?? 0;
    const { shown, traceUrl, windowMs } = this.options;
    const requests = ranked([...this.candidates.values()])
      .slice(0, shown)
      .map((candidate) => ({
        ...candidate,
        ageSeconds: Math.max(0, latestMs - candidate.timeMs) / 1000,
        ...(traceUrl === undefined ? {} : { traceUrl: fillTraceUrl(traceUrl, candidate) }),
      }));
    return { windowSeconds: windowMs / 1000, shown, requests };
  }

  private prune(cutoff: number): void {
    const { shown } = this.options;
    // Newest first: each candidate is compared with the `shown` slowest of those recorded no earlier.
    const newestFirst = [...this.candidates].sort(([, a], [, b]) => b.timeMs - a.timeMs);
    const slowestNewer: number[] = []; // descending, at most `shown`
    const kept: [string, Candidate][] = [];
    for (const entry of newestFirst) {
      const { durationSeconds, timeMs } = entry[1];
      if (timeMs < cutoff) continue;
      if (slowestNewer.length === shown && slowestNewer[shown - 1]! >= durationSeconds) continue;
      kept.push(entry);
      let index = slowestNewer.findIndex((value) => value < durationSeconds);
      if (index === -1) index = slowestNewer.length;
      slowestNewer.splice(index, 0, durationSeconds);
      if (slowestNewer.length > shown) slowestNewer.pop();
    }
    const bounded =
      kept.length > SLOW_REQUESTS_KEPT
        ? ranked(kept.map(([, candidate]) => candidate)).slice(0, SLOW_REQUESTS_KEPT)
        : undefined;
    this.candidates = bounded
      ? new Map(
          bounded.map((candidate) => [
            `${candidate.traceId}${candidate.spanId}${candidate.timeMs}`,
            candidate,
          ]),
        )
      : new Map(kept);
  }
}

/** The slowest first; among equal durations, the newest first. */
function ranked(candidates: Candidate[]): Candidate[] {
  return candidates.sort((a, b) => b.durationSeconds - a.durationSeconds || b.timeMs - a.timeMs);
}

function fillTraceUrl(template: string, ids: { traceId: string; spanId: string }): string {
  return template
    .replaceAll(TRACE_ID_TOKEN, encodeURIComponent(ids.traceId))
    .replaceAll(SPAN_ID_TOKEN, encodeURIComponent(ids.spanId));
}

/**
 * Checks the dashboard's `traceUrl` option: an absolute http(s) URL holding `{traceId}` (and, if it likes,
 * `{spanId}`), such as `http://localhost:16686/trace/{traceId}` for Jaeger. Anything else would make every
 * trace link on the page lead nowhere, or somewhere other than a web page (`javascript:`), so it is refused
 * up front with `INVALID_CONFIG`.
 */
export function validateTraceUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const refuse = (why: string): never => {
    throw new SightglassError(
      ErrorCode.INVALID_CONFIG,
      `dashboard option traceUrl must be an http(s) URL containing {traceId}, such as http://localhost:16686/trace/{traceId}; ${why}, got ${JSON.stringify(value)}`,
    );
  };
  if (typeof value !== 'string') return refuse('it is not a string');
  if (!value.includes(TRACE_ID_TOKEN)) return refuse('it has no {traceId}');
  let url: URL;
  try {
    url = new URL(fillTraceUrl(value, { traceId: '0'.repeat(32), spanId: '0'.repeat(16) }));
  } catch {
    return refuse('it is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse(`its scheme is ${url.protocol}`);
  return value;
}
