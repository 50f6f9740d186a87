/**
 * A micro-benchmark of what an exemplar costs, not part of `pnpm bench`:
 * `node --import tsx src/test-support/bench/exemplar-micro.ts`. In tight loops over 1,024 durations spread
 * across the request buckets (so the bucket search is not always the same), it times:
 * - a `HistogramCell`: `record` against `recordExemplar` (ids of a sampled span, the time read per call by
 *   its default `Date.now()`, and with the time handed in);
 * - what a request's end costs in `RequestRecorder` (`enter` + `exit`, as every adapter runs them): with no
 *   span (tracing off, the untraced path), with an unsampled span, and with a sampled SDK span (the
 *   exemplar recorded), each with `semanticConventions` off and on.
 * Each round runs every case once, in the same order; it prints nanoseconds per call, min / median / max
 * over the rounds, and the medians' difference to each case's baseline. On a shared machine the minimum is
 * the least noisy figure.
 */
import { type Span, TraceFlags, trace } from '@opentelemetry/api';
import { AlwaysOnSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { CATALOG, HistogramCell } from '@sightglass/core';
import { RequestRecorder } from '../../request-recorder.js';

const CALLS = 1_000_000;
const ROUNDS = Number(process.env.ROUNDS ?? 21);
const boundaries = CATALOG.requestDurationSeconds.boundaries ?? [];

// Durations from 0.5 ms to 20 s, log-uniform: every bucket gets some.
const values = Array.from({ length: 1024 }, (_, index) => 0.0005 * 40_000 ** (index / 1023));
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

const sdkSpan: Span = new BasicTracerProvider({ sampler: new AlwaysOnSampler() })
  .getTracer('bench')
  .startSpan('GET /hello/:name');
const unsampledSpan = trace.wrapSpanContext({
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  traceFlags: TraceFlags.NONE,
});
let sink = 0;

function time(loop: () => void): number {
  const started = process.hrtime.bigint();
  loop();
  return Number(process.hrtime.bigint() - started) / CALLS;
}

const plainCell = new HistogramCell(boundaries);
const exemplarCell = new HistogramCell(boundaries);
const timedCell = new HistogramCell(boundaries);
const recorder = new RequestRecorder();
const semconvRecorder = new RequestRecorder({ semanticConventions: true });

/** Requests through one recorder, `exit` handed `span`; `performance.now()` read per request as adapters do. */
function requests(into: RequestRecorder, span: Span | undefined): () => void {
  return () => {
    for (let index = 0; index < CALLS; index++) {
      // A start time in the past, so each duration lands in a different bucket.
      const started = performance.now() - values[index & 1023]! * 1000;
      into.exit(into.enter('GET', '/hello/:name'), started, 200, false, span);
    }
  };
}

const cases: Record<string, () => void> = {
  'empty loop': () => {
    for (let index = 0; index < CALLS; index++) sink += values[index & 1023]!;
  },
  'HistogramCell.record': () => {
    for (let index = 0; index < CALLS; index++) plainCell.record(values[index & 1023]!);
  },
  'HistogramCell.recordExemplar (Date.now() per call)': () => {
    for (let index = 0; index < CALLS; index++)
      exemplarCell.recordExemplar(values[index & 1023]!, TRACE_ID, SPAN_ID);
  },
  'HistogramCell.recordExemplar (time handed in)': () => {
    for (let index = 0; index < CALLS; index++)
      timedCell.recordExemplar(values[index & 1023]!, TRACE_ID, SPAN_ID, 1_700_000_000_000);
  },
  'request end, no span': requests(recorder, undefined),
  'request end, unsampled span': requests(recorder, unsampledSpan),
  'request end, sampled SDK span (exemplar)': requests(recorder, sdkSpan),
  'request end + semconv, no span': requests(semconvRecorder, undefined),
  'request end + semconv, sampled SDK span (2 exemplars)': requests(semconvRecorder, sdkSpan),
};

/** Each case's baseline, for the difference column. */
const baselines: Record<string, string> = {
  'HistogramCell.record': 'empty loop',
  'HistogramCell.recordExemplar (Date.now() per call)': 'HistogramCell.record',
  'HistogramCell.recordExemplar (time handed in)': 'HistogramCell.record',
  'request end, unsampled span': 'request end, no span',
  'request end, sampled SDK span (exemplar)': 'request end, no span',
  'request end + semconv, sampled SDK span (2 exemplars)': 'request end + semconv, no span',
};

const results = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(cases)) results.get(name)!.push(time(run));
}

const median = (list: readonly number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const load = (await import('node:os')).loadavg().map((each) => each.toFixed(2));
console.log(
  `Node ${process.version}, ${ROUNDS} rounds of ${CALLS.toLocaleString('en')} calls, load average ${load.join(' ')}\n`,
);
console.log('| case | ns per call (min / median / max) | median over its baseline, ns |');
console.log('|---|---:|---:|');
for (const [name, list] of results) {
  const baseline = baselines[name];
  const over = baseline === undefined ? '' : (median(list) - median(results.get(baseline)!)).toFixed(1);
  console.log(
    `| ${name} | ${Math.min(...list).toFixed(1)} / ${median(list).toFixed(1)} / ${Math.max(...list).toFixed(1)} | ${over} |`,
  );
}
if (sink === 0) console.log('');
