import { diag } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { decodeMetricsRequest, type OtlpExportRequest } from '@sightglass/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type MetricsSerializer, withExemplars } from './exemplar-serializer.js';
import {
  collectWithProducer,
  OTHER_SPAN_ID,
  OTHER_TRACE_ID,
  otelSerializers,
  plainExemplars,
  pointOfRoute,
  recordExemplar,
  SPAN_ID,
  TRACE_ID,
  withoutExemplars,
} from './test-support/exemplar-fixtures.js';

const otel = otelSerializers();
const decoders = {
  protobuf: (bytes: Uint8Array) => decodeMetricsRequest(bytes),
  json: (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as OtlpExportRequest,
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(['protobuf', 'json'] as const)('withExemplars over %s', (encoding) => {
  const decode = decoders[encoding];
  const theirs = otel[encoding];
  const ours = withExemplars(theirs, encoding);

  it("adds each exemplar to its point and leaves the rest of OpenTelemetry's request as it was", async () => {
    const at = Date.UTC(2026, 11, 3, 12, 0, 0, 123);
    recordExemplar(`/a/${encoding}`, 0.3, at);
    recordExemplar(`/a/${encoding}`, 7, at + 5, OTHER_TRACE_ID, OTHER_SPAN_ID);
    recordExemplar(`/b/${encoding}`, 0.02, at + 9);
    const request = await collectWithProducer();

    const sent = decode(ours.serializeRequest(request)!);
    expect(plainExemplars(pointOfRoute(sent, `/a/${encoding}`))).toEqual([
      { value: 0.3, timeMs: at, traceId: TRACE_ID, spanId: SPAN_ID },
      { value: 7, timeMs: at + 5, traceId: OTHER_TRACE_ID, spanId: OTHER_SPAN_ID },
    ]);
    expect(plainExemplars(pointOfRoute(sent, `/b/${encoding}`))).toEqual([
      { value: 0.02, timeMs: at + 9, traceId: TRACE_ID, spanId: SPAN_ID },
    ]);
    // Same resource, scopes, metrics and points as OpenTelemetry's own request, decoded.
    expect(withoutExemplars(sent)).toEqual(withoutExemplars(decode(theirs.serializeRequest(request)!)));
    expect(sent.resourceMetrics).toHaveLength(1);
  });

  it('writes exemplar times to the nanosecond and ids as the encoding has them', async () => {
    recordExemplar(`/ns/${encoding}`, 1.5, 1_764_763_200_123.5);
    const request = await collectWithProducer();
    const point = pointOfRoute(decode(ours.serializeRequest(request)!), `/ns/${encoding}`);
    const [exemplar] = point?.exemplars ?? [];
    if (encoding === 'json') {
      // OTLP/JSON: 64-bit integers as decimal strings, trace and span ids as hex (not base64).
      expect(exemplar).toEqual({
        timeUnixNano: '1764763200123500000',
        asDouble: 1.5,
        spanId: SPAN_ID,
        traceId: TRACE_ID,
      });
    } else {
      expect(Buffer.from(exemplar!.traceId as Uint8Array)).toHaveLength(16);
      expect(Buffer.from(exemplar!.spanId as Uint8Array)).toHaveLength(8);
      expect(Math.abs(Number(exemplar!.timeUnixNano) - 1_764_763_200_123_500_000)).toBeLessThan(1000);
    }
  });

  it("returns OpenTelemetry's bytes themselves when no point has an exemplar", async () => {
    const request = await collectWithProducer();
    const bare = withoutPointExemplars(request);
    const bytes = theirs.serializeRequest(bare)!;
    const wrapped: MetricsSerializer = { serializeRequest: () => bytes, deserializeResponse: () => ({}) };
    expect(withExemplars(wrapped, encoding).serializeRequest(bare)).toBe(bytes);
  });

  it('leaves out exemplars whose ids or value are not valid', async () => {
    recordExemplar(`/invalid/${encoding}`, 0.3, Date.now());
    const request = await collectWithProducer();
    const point = histogramPointOfRoute(request, `/invalid/${encoding}`);
    const valid = {
      filteredAttributes: {},
      value: 1,
      timestamp: [1_764_763_200, 0],
      traceId: TRACE_ID,
      spanId: SPAN_ID,
    };
    point.exemplars = [
      { ...valid, traceId: '0'.repeat(32) },
      { ...valid, spanId: 'xyz' },
      { ...valid, value: Number.NaN },
      { ...valid, timestamp: 'soon' },
      null,
      { ...valid, value: 2 },
    ];
    const sent = decode(ours.serializeRequest(request)!);
    expect(plainExemplars(pointOfRoute(sent, `/invalid/${encoding}`))).toEqual([
      { value: 2, timeMs: 1_764_763_200_000, traceId: TRACE_ID, spanId: SPAN_ID },
    ]);
    point.exemplars = [{ ...valid, spanId: '0'.repeat(16) }];
    expect(
      pointOfRoute(decode(ours.serializeRequest(request)!), `/invalid/${encoding}`)?.exemplars ?? [],
    ).toEqual([]);
  });

  it('keeps the exemplars a point already has (once OpenTelemetry writes its own), without doubling them', async () => {
    recordExemplar(`/twice/${encoding}`, 0.3, Date.now());
    const request = await collectWithProducer();
    const once = decode(ours.serializeRequest(request)!);
    const twice = decode(withExemplars(ours, encoding).serializeRequest(request)!);
    expect(twice).toEqual(once);
    expect(pointOfRoute(twice, `/twice/${encoding}`)?.exemplars).toHaveLength(1);
  });

  it('sends the request unchanged, with one warning, when it does not hold the metrics where expected', async () => {
    const { withExemplars: fresh } = await freshModule();
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
    recordExemplar(`/moved/${encoding}`, 0.3, Date.now());
    const request = await collectWithProducer();
    // A serializer that writes the scopes in another order than it was given them.
    const reordered: MetricsSerializer = {
      serializeRequest: (given) =>
        theirs.serializeRequest({ ...given, scopeMetrics: [...given.scopeMetrics].reverse() }),
      deserializeResponse: () => ({}),
    };
    const expected = reordered.serializeRequest(request);
    const serializer = fresh(reordered, encoding);
    expect(serializer.serializeRequest(request)).toEqual(expected);
    expect(serializer.serializeRequest(request)).toEqual(expected);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('OTLP metric exemplars left out of an export');
  });

  it('sends bytes it cannot read unchanged, and passes responses and undefined through', async () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {});
    recordExemplar(`/garbage/${encoding}`, 0.3, Date.now());
    const request = await collectWithProducer();
    for (const garbage of [Uint8Array.from([0x0a, 0xff]), Uint8Array.from([0x0b]), Uint8Array.from([0x7b])]) {
      const broken: MetricsSerializer = {
        serializeRequest: () => garbage,
        deserializeResponse: (data) => data.length,
      };
      const serializer = withExemplars(broken, encoding);
      expect(serializer.serializeRequest(request)).toBe(garbage);
      expect(serializer.deserializeResponse(Uint8Array.from([1, 2]))).toBe(2);
    }
    const empty: MetricsSerializer = { serializeRequest: () => undefined, deserializeResponse: () => ({}) };
    expect(withExemplars(empty, encoding).serializeRequest(request)).toBeUndefined();
  });
});

describe('withExemplars over protobuf, past the first export batch', () => {
  it('finds each point by its position in the request it is given', async () => {
    recordExemplar('/batch', 0.3, Date.now());
    const request = await collectWithProducer();
    const ours = withExemplars(otel.protobuf, 'protobuf');
    // What the periodic reader's maxExportBatchSize makes: every scope and metric in a request of its own.
    for (const scope of request.scopeMetrics) {
      for (const metric of scope.metrics) {
        const batch = {
          resource: request.resource,
          scopeMetrics: [{ scope: scope.scope, metrics: [metric] }],
        };
        const sent = decodeMetricsRequest(ours.serializeRequest(batch)!);
        expect(withoutExemplars(sent)).toEqual(
          withoutExemplars(decodeMetricsRequest(otel.protobuf.serializeRequest(batch)!)),
        );
        if (metric.descriptor.name === 'request_duration_seconds') {
          expect(plainExemplars(pointOfRoute(sent, '/batch'))).toHaveLength(1);
        }
      }
    }
  });
});

type Writable = { exemplars?: unknown[] };

function histogramPointOfRoute(request: ResourceMetrics, route: string): Writable {
  for (const scope of request.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== 'request_duration_seconds') continue;
      const point = metric.dataPoints.find((candidate) => candidate.attributes.route === route);
      if (point) return point as Writable;
    }
  }
  throw new Error(`no request_duration_seconds point of ${route}`);
}

function withoutPointExemplars(request: ResourceMetrics): ResourceMetrics {
  for (const scope of request.scopeMetrics) {
    for (const metric of scope.metrics)
      for (const point of metric.dataPoints) delete (point as Writable).exemplars;
  }
  return request;
}

async function freshModule(): Promise<typeof import('./exemplar-serializer.js')> {
  vi.resetModules();
  return import('./exemplar-serializer.js');
}
