/**
 * From a slow request on a latency panel to the trace that explains it, end to end: Debian's Prometheus,
 * with exemplar storage on, scrapes the gateway (in OpenMetrics, which it asks for first), while the
 * gateway sends its traces over OTLP/protobuf to a receiver that decodes them with the official
 * definitions. Every request carries a `traceparent` of the test's own, so the test knows which trace is
 * which request: the exemplars Prometheus returns for the highest latency buckets must name the slow
 * requests' traces, and each of those traces must have reached the receiver with the gateway's server span
 * (the exemplar's span) and the Ollama call beneath it; the GenAI duration's exemplars point at those calls.
 */
import { randomBytes } from 'node:crypto';
import { CATALOG, prometheusName } from '@sightglass/core';
import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import { startTelemetry, type Telemetry } from '@sightglass/node';
import {
  type OtlpTraceReceiver,
  prometheusBinary,
  type RunningPrometheus,
  startOtlpTraceHttpReceiver,
  startPrometheus,
  waitFor,
} from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './gateway.js';
import { startTestGateway, TEST_TIMING } from './test-support/fixture.js';
import { chat } from './test-support/http.js';

const binary = prometheusBinary();
const SLOW_MS = 400;

let telemetry: Telemetry;
let receiver: OtlpTraceReceiver;
let ollama: FakeOllama;
let gateway: Gateway;
let url: string;
let prometheus: RunningPrometheus | undefined;
const fastTraces = new Set<string>();
const slowTraces = new Set<string>();
/** Requests whose caller decided not to sample them (`-00`): they must leave no exemplar and no span. */
const unsampledTraces = new Set<string>();

/** POSTs a one-off chat question (a cache miss: it reaches Ollama) in a trace of the test's own. */
async function ask(question: string, traces: Set<string>, sampled = true): Promise<void> {
  const traceId = randomBytes(16).toString('hex');
  traces.add(traceId);
  const response = await fetch(`${url}/v1/chat`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // The gateway's parent-based sampler follows the caller's decision (flags 01 sampled, 00 not).
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-${sampled ? '01' : '00'}`,
    },
    body: JSON.stringify(chat(question)),
  });
  await response.text();
  expect(response.status).toBe(200);
}

const startedS = Date.now() / 1000 - 5;

beforeAll(async () => {
  if (binary === undefined) return;
  receiver = await startOtlpTraceHttpReceiver();
  telemetry = await startTelemetry({
    serviceName: 'llm-gateway',
    prometheus: { server: false },
    runtimeMetrics: false,
    tracing: { otlp: { url: receiver.url }, batch: { scheduleDelayMs: 100 } },
  });
  ollama = await startFakeOllama(TEST_TIMING);
  ({ gateway, url } = await startTestGateway('traced', ollama.url, {
    policy: { timeoutMs: 10_000 },
  }));
  const { host } = new URL(url);
  prometheus = await startPrometheus(binary, [host], '/metrics', { enableFeatures: ['exemplar-storage'] });

  for (let i = 0; i < 30; i++) await ask(`fast one-off question ${i}`, fastTraces);
  ollama.faults.set({ addedLatencyMs: SLOW_MS });
  await Promise.all([
    ...Array.from({ length: 3 }, (_, i) => ask(`slow one-off question ${i}`, slowTraces)),
    ...Array.from({ length: 3 }, (_, i) => ask(`slow unsampled question ${i}`, unsampledTraces, false)),
  ]);
  // Unsampled requests after the sampled ones: were they kept, they would be their buckets' last exemplars.
  for (let i = 0; i < 5; i++) await ask(`unsampled one-off question ${i}`, unsampledTraces, false);
  ollama.faults.clear();
  await telemetry.forceFlush();
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await gateway?.close();
  await ollama?.close();
  await telemetry?.shutdown();
  await receiver?.close();
});

describe.skipIf(binary === undefined)('exemplars from the gateway to its traces', () => {
  it('Prometheus keeps exemplars naming the slow requests in the slow buckets, and their traces arrived', async () => {
    // Each bucket keeps its last exemplar; Prometheus stores each new one it scrapes.
    const slow = await waitFor('exemplars of the slow requests in Prometheus', async () => {
      const results = await prometheus!.queryExemplars(
        'request_duration_seconds_bucket{route="/v1/chat"}',
        startedS,
        Date.now() / 1000 + 60,
      );
      const exemplars = results.flatMap((series) =>
        series.exemplars.map((exemplar) => ({ ...exemplar, le: series.seriesLabels.le })),
      );
      const found = exemplars.filter((exemplar) => slowTraces.has(exemplar.labels.trace_id ?? ''));
      return found.length > 0 ? { exemplars, found } : undefined;
    });
    // The slowest exemplar Prometheus has is a slow request's, and its value is that request's latency.
    const slowest = slow.exemplars.reduce((a, b) => (Number(b.value) > Number(a.value) ? b : a));
    expect(slowTraces.has(slowest.labels.trace_id ?? '')).toBe(true);
    expect(Number(slowest.value)).toBeGreaterThanOrEqual(SLOW_MS / 1000);
    expect(Number(slowest.le)).toBeGreaterThanOrEqual(Number(slowest.value));
    // Every exemplar names a sampled trace this test started: nothing invented, nothing unsampled.
    for (const exemplar of slow.exemplars) {
      expect(unsampledTraces.has(exemplar.labels.trace_id ?? '')).toBe(false);
      expect(
        fastTraces.has(exemplar.labels.trace_id ?? '') || slowTraces.has(exemplar.labels.trace_id ?? ''),
      ).toBe(true);
    }

    // The trace behind it reached the OTLP receiver: the server span the exemplar points at, and the
    // Ollama call made for the request beneath it.
    for (const exemplar of slow.found) {
      const spans = await waitFor(`trace ${exemplar.labels.trace_id} at the receiver`, async () => {
        const inTrace = receiver.spans().filter((span) => span.traceId === exemplar.labels.trace_id);
        return inTrace.some((span) => span.scope === '@sightglass/ollama') ? inTrace : undefined;
      });
      const server = spans.find((span) => span.spanId === exemplar.labels.span_id);
      expect(server).toMatchObject({ name: 'POST /v1/chat', scope: '@sightglass/http', kind: 2 });
      const call = spans.find((span) => span.scope === '@sightglass/ollama');
      expect(call).toMatchObject({ name: 'chat llama3.2', kind: 3 });
    }
    expect(receiver.spans().filter((span) => unsampledTraces.has(span.traceId))).toEqual([]);
  });

  it('the GenAI duration buckets point at the Ollama call spans of the slow requests', async () => {
    const duration = prometheusName(CATALOG.genAiClientOperationDuration);
    const exemplars = await waitFor('GenAI exemplars in Prometheus', async () => {
      const results = await prometheus!.queryExemplars(
        `${duration}_bucket{gen_ai_operation_name="chat"}`,
        startedS,
        Date.now() / 1000 + 60,
      );
      const all = results.flatMap((series) => series.exemplars);
      return all.some((exemplar) => slowTraces.has(exemplar.labels.trace_id ?? '')) ? all : undefined;
    });
    const slowest = exemplars.reduce((a, b) => (Number(b.value) > Number(a.value) ? b : a));
    expect(slowTraces.has(slowest.labels.trace_id ?? '')).toBe(true);
    const call = receiver.spans().find((span) => span.spanId === slowest.labels.span_id);
    expect(call).toMatchObject({ traceId: slowest.labels.trace_id, scope: '@sightglass/ollama', kind: 3 });
  });
});
