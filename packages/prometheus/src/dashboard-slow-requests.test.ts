import {
  CATALOG,
  ErrorCode,
  HealthRegistry,
  type HistogramExemplar,
  type LabelValues,
  MetricRegistry,
  type MetricSnapshot,
  SightglassError,
} from '@sightglass/core';
import { describe, expect, it } from 'vitest';
import { DashboardHistory } from './dashboard-history.js';
import { SLOW_REQUESTS_KEPT, SlowRequests, validateTraceUrl } from './dashboard-slow-requests.js';

type RequestLabels = LabelValues<typeof CATALOG.requestDurationSeconds>;

/** A trace id and span id, distinct per `n`, as a span context has them (lowercase hex). */
const traceId = (n: number) => n.toString(16).padStart(32, '0').replace(/^0/, 'a');
const spanId = (n: number) => n.toString(16).padStart(16, '0').replace(/^0/, 'b');

/** A registry of its own and a history sampling it once a second, five minutes of it. */
function setup(options: ConstructorParameters<typeof DashboardHistory>[0] = {}) {
  const registry = new MetricRegistry();
  const history = new DashboardHistory({ registry, health: new HealthRegistry(), ...options });
  const requests = (labels: RequestLabels) =>
    registry.addHistogram(CATALOG.requestDurationSeconds, labels).cell;
  return { registry, history, requests };
}

const chat: RequestLabels = { method: 'POST', route: '/v1/chat', status: '200' };
const embed: RequestLabels = { method: 'POST', route: '/v1/embed', status: '503' };

describe("the dashboard's slowest recent requests", () => {
  it('lists requests recorded with a sampled span, slowest first, with their labels, ids and age', () => {
    const { history, requests } = setup();
    const chatRequests = requests(chat);
    const embedRequests = requests(embed);
    chatRequests.recordExemplar(0.2, traceId(1), spanId(1), 10_000);
    chatRequests.recordExemplar(3.5, traceId(2), spanId(2), 11_000);
    embedRequests.recordExemplar(1.2, traceId(3), spanId(3), 11_500);
    chatRequests.record(40); // no span: counted in the latency, not listed
    history.sample(12_000);

    expect(history.toJSON().slowRequests).toEqual({
      windowSeconds: 300,
      shown: 10,
      requests: [
        {
          traceId: traceId(2),
          spanId: spanId(2),
          method: 'POST',
          route: '/v1/chat',
          status: '200',
          durationSeconds: 3.5,
          timeMs: 11_000,
          ageSeconds: 1,
        },
        expect.objectContaining({ traceId: traceId(3), route: '/v1/embed', status: '503', ageSeconds: 0.5 }),
        expect.objectContaining({ traceId: traceId(1), durationSeconds: 0.2, ageSeconds: 2 }),
      ],
    });
  });

  it('is empty without sampled spans, and before the first sample', () => {
    const { history, requests } = setup();
    expect(history.toJSON().slowRequests).toEqual({ windowSeconds: 300, shown: 10, requests: [] });
    requests(chat).record(2);
    history.sample(1000);
    expect(history.toJSON().slowRequests.requests).toEqual([]);
  });

  it('shows the ten slowest, the newest first among equal durations', () => {
    const { history, requests } = setup();
    // Fifteen routes, one request each; /r14 takes as long as /r10 but came later, so it ranks first.
    for (let n = 0; n < 15; n++) {
      const duration = (n === 14 ? 10 : n) * 0.5 + 0.01;
      requests({ method: 'GET', route: `/r${n}`, status: '200' }).recordExemplar(
        duration,
        traceId(n + 1),
        spanId(n + 1),
        1000 + n,
      );
    }
    history.sample(2000);
    const listed = history.toJSON().slowRequests.requests;
    expect(listed.map((request) => request.route)).toEqual([
      '/r13',
      '/r12',
      '/r11',
      '/r14',
      '/r10',
      '/r9',
      '/r8',
      '/r7',
      '/r6',
      '/r5',
    ]);
  });

  it('ranks equal durations newest first', () => {
    const { history, requests } = setup();
    const cell = requests(chat);
    cell.recordExemplar(2, traceId(1), spanId(1), 1000);
    history.sample(1500);
    // Same bucket: the later request replaces the first as the bucket's exemplar; both stay listed.
    cell.recordExemplar(2, traceId(2), spanId(2), 1800);
    history.sample(2000);
    expect(history.toJSON().slowRequests.requests.map((request) => request.traceId)).toEqual([
      traceId(2),
      traceId(1),
    ]);
  });

  it('keeps a request listed after a later one in its bucket replaced it as the exemplar', () => {
    const { history, requests } = setup();
    const cell = requests(chat);
    cell.recordExemplar(45, traceId(1), spanId(1), 1000); // (30, 60] bucket
    history.sample(1000);
    cell.recordExemplar(31, traceId(2), spanId(2), 1500); // same bucket, replaces it
    history.sample(2000);
    expect(history.toJSON().slowRequests.requests.map(({ durationSeconds }) => durationSeconds)).toEqual([
      45, 31,
    ]);
  });

  it('forgets requests older than the history shown (historyLength × intervalMs)', () => {
    const { history, requests } = setup({ historyLength: 10, intervalMs: 1000 });
    expect(history.toJSON().slowRequests.windowSeconds).toBe(10);
    requests(chat).recordExemplar(9, traceId(1), spanId(1), 1000);
    requests(embed).recordExemplar(1, traceId(2), spanId(2), 6000);
    history.sample(6000);
    expect(history.toJSON().slowRequests.requests).toHaveLength(2);
    history.sample(11_000); // 10 s after the first: still in
    expect(history.toJSON().slowRequests.requests).toHaveLength(2);
    history.sample(11_001);
    expect(history.toJSON().slowRequests.requests.map((request) => request.traceId)).toEqual([traceId(2)]);
    history.sample(20_000);
    expect(history.toJSON().slowRequests.requests).toEqual([]);
  });

  it('leaves out exemplars whose ids are not hex span ids (route labels and ids reach a web page)', () => {
    const { history, requests } = setup();
    const cell = requests({ method: 'GET', route: '/<script>alert(1)</script>', status: '200' });
    cell.recordExemplar(1, `<img src=x onerror=alert(1)>${'0'.repeat(4)}`, spanId(1), 1000);
    cell.recordExemplar(2, traceId(2), 'B'.repeat(16), 1000);
    cell.recordExemplar(5, traceId(3), spanId(3), 1000);
    history.sample(1000);
    const listed = history.toJSON().slowRequests.requests;
    expect(listed.map((request) => request.traceId)).toEqual([traceId(3)]);
    // The route is data as the label holds it; the page sets it as text.
    expect(listed[0]?.route).toBe('/<script>alert(1)</script>');
  });

  it('links each trace id with the traceUrl option, span id too', () => {
    const { history, requests } = setup({
      traceUrl: 'https://jaeger.example:16686/trace/{traceId}?uiFind={spanId}',
    });
    requests(chat).recordExemplar(2, traceId(7), spanId(7), 1000);
    history.sample(1000);
    expect(history.toJSON().slowRequests.requests[0]?.traceUrl).toBe(
      `https://jaeger.example:16686/trace/${traceId(7)}?uiFind=${spanId(7)}`,
    );
    const grafana = setup({
      traceUrl:
        'http://localhost:3000/explore?schemaVersion=1&panes={"t":{"datasource":"tempo","queries":[{"refId":"A","queryType":"traceql","query":"{traceId}"}]}}',
    });
    grafana.requests(chat).recordExemplar(2, traceId(8), spanId(8), 1000);
    grafana.history.sample(1000);
    expect(grafana.history.toJSON().slowRequests.requests[0]?.traceUrl).toContain(`"query":"${traceId(8)}"`);
  });

  it.each([
    ['a number', 16686],
    ['no {traceId}', 'http://localhost:16686/search'],
    ['a relative URL', '/trace/{traceId}'],
    ['not a URL', 'localhost:16686 {traceId}'],
    ['javascript:', 'javascript:alert(1)//{traceId}'],
    ['data:', 'data:text/html,{traceId}'],
    ['ftp:', 'ftp://traces.example/{traceId}'],
  ])('refuses a traceUrl that is %s with INVALID_CONFIG', (_, traceUrl) => {
    const attempt = () => setup({ traceUrl: traceUrl as string });
    expect(attempt).toThrow(SightglassError);
    expect(attempt).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }));
    expect(attempt).toThrow(/traceUrl must be an http\(s\) URL containing \{traceId\}/);
  });

  it('accepts an http(s) traceUrl with {traceId}, and no traceUrl', () => {
    expect(validateTraceUrl(undefined)).toBeUndefined();
    expect(validateTraceUrl('http://localhost:16686/trace/{traceId}')).toBe(
      'http://localhost:16686/trace/{traceId}',
    );
    expect(validateTraceUrl('HTTPS://tempo.example/{traceId}')).toBe('HTTPS://tempo.example/{traceId}');
  });
});

describe('SlowRequests', () => {
  /** A registry snapshot holding only request-duration series with the given exemplars. */
  function snapshot(series: readonly (readonly (HistogramExemplar | undefined)[])[]): MetricSnapshot[] {
    return [
      {
        definition: CATALOG.requestDurationSeconds,
        series: series.map((exemplars, index) => ({
          attributes: { method: 'GET', route: `/r${index}`, status: '200' },
          labels: '',
          value: 1,
          startTimeMs: 0,
          histogram: { boundaries: [], counts: [], sum: 0, count: 1, min: 0, max: 0, exemplars },
        })),
      },
    ];
  }

  /** A small deterministic PRNG (mulberry32), so a failure is reproducible. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it.each([
    1, 2, 3,
  ])('lists what ranking every exemplar seen in the window would (random traffic, seed %i)', (seed) => {
    const next = random(seed);
    const windowMs = 20_000;
    const slow = new SlowRequests({ windowMs, shown: 10 });
    const seen = new Set<HistogramExemplar>();
    // Three series of four buckets, kept across samples as a histogram keeps them: each sample, a few
    // buckets get a new exemplar (the last one wins, so some are replaced before any sample sees them).
    const series = [0, 1, 2].map(() => new Array<HistogramExemplar | undefined>(4).fill(undefined));
    let n = 0;
    for (let now = 1000; now <= 120_000; now += 1000) {
      const placed = Math.floor(next() * 9);
      for (let k = 0; k < placed; k++) {
        n++;
        series[Math.floor(next() * 3)]![Math.floor(next() * 4)] = {
          value: Math.round(next() * 40) / 4, // ties happen
          timeMs: now - Math.floor(next() * 1000),
          traceId: traceId(n),
          spanId: spanId(n),
        };
      }
      for (const buckets of series) for (const exemplar of buckets) if (exemplar) seen.add(exemplar);
      slow.observe(snapshot(series), now);
      const expected = [...seen]
        .filter((exemplar) => exemplar.timeMs >= now - windowMs)
        .sort((a, b) => b.value - a.value || b.timeMs - a.timeMs)
        .slice(0, 10);
      const listed = slow.toJSON().requests;
      expect(listed.map((request) => [request.durationSeconds, request.timeMs])).toEqual(
        expected.map((exemplar) => [exemplar.value, exemplar.timeMs]),
      );
    }
  });

  it('keeps few candidates for traffic in no particular order, and never more than SLOW_REQUESTS_KEPT', () => {
    const next = random(7);
    const slow = new SlowRequests({ windowMs: 300_000, shown: 10 });
    const kept = () => (slow as unknown as { candidates: Map<string, unknown> }).candidates.size;
    let n = 0;
    for (let now = 1000; now <= 300_000; now += 1000) {
      const buckets = Array.from({ length: 16 }, () => {
        n++;
        return { value: next() * 60, timeMs: now, traceId: traceId(n), spanId: spanId(n) };
      });
      slow.observe(snapshot([buckets]), now);
    }
    expect(n).toBe(4800);
    expect(kept()).toBeLessThan(150);

    // Each request faster than every one before it: none can be ruled out, so the bound applies.
    const falling = new SlowRequests({ windowMs: 10_000_000, shown: 10 });
    for (let i = 0; i < SLOW_REQUESTS_KEPT + 500; i++) {
      falling.observe(
        snapshot([[{ value: 10_000 - i, timeMs: 1000 + i, traceId: traceId(i + 1), spanId: spanId(i + 1) }]]),
        1000 + i,
      );
    }
    expect((falling as unknown as { candidates: Map<string, unknown> }).candidates.size).toBe(
      SLOW_REQUESTS_KEPT,
    );
    expect(falling.toJSON().requests.map((request) => request.durationSeconds)).toEqual(
      Array.from({ length: 10 }, (_, i) => 10_000 - i),
    );
  });
});
