import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOG, createMetricGroup, histogramRecorder } from '@sightglass/core';
import {
  freePort,
  type OtlpReceiver,
  startOtlpGrpcReceiver,
  startOtlpHttpReceiver,
} from '@sightglass/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpProtocol } from './options.js';
import { startTelemetry, type Telemetry } from './start-telemetry.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startWithOtlp(url: string, protocol: OtlpProtocol, extra: object = {}): Promise<Telemetry> {
  const telemetry = await startTelemetry({
    env: {},
    serviceName: 'otlp-test',
    runtimeMetrics: false,
    otlp: { url, protocol, intervalMs: 60_000, timeoutMs: 2000, headers: { 'x-api-key': 'secret' } },
    ...extra,
  });
  cleanups.push(() => telemetry.shutdown());
  return telemetry;
}

function recordSomething(): void {
  const group = createMetricGroup();
  group.counter(CATALOG.circuitBreakerFailures, { breaker_name: 'ollama' }).add(4);
  group.gauge(CATALOG.circuitBreakerState, { breaker_name: 'ollama' }, () => 1);
  histogramRecorder(CATALOG.requestDurationSeconds).record(0.3, {
    method: 'POST',
    route: '/v1/chat',
    status: '200',
  });
  cleanups.push(async () => group.dispose());
}

describe.each([
  ['http/protobuf', startOtlpHttpReceiver],
  ['http/json', startOtlpHttpReceiver],
  ['grpc', startOtlpGrpcReceiver],
] as const)('OTLP export over %s', (protocol, startReceiver) => {
  it('delivers Sightglass metrics, decodable with the official OTLP definitions', async () => {
    const receiver: OtlpReceiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const telemetry = await startWithOtlp(receiver.url, protocol);
    recordSomething();
    await telemetry.forceFlush();

    expect(receiver.received.length).toBeGreaterThan(0);
    const resource = receiver.received[0]?.request.resourceMetrics[0]?.resource?.attributes ?? [];
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'otlp-test' } });
    const headers = receiver.received[0]?.headers ?? {};
    expect(headers['x-api-key']).toBe('secret');

    const metrics = receiver.metrics();
    const failures = metrics.get('circuit_breaker_failures');
    expect(failures?.sum?.isMonotonic).toBe(true);
    expect(Number(failures?.sum?.dataPoints[0]?.asDouble)).toBe(4);
    expect(failures?.sum?.dataPoints[0]?.attributes).toEqual([
      { key: 'breaker_name', value: { stringValue: 'ollama' } },
    ]);
    expect(Number(metrics.get('circuit_breaker_state')?.gauge?.dataPoints[0]?.asDouble)).toBe(1);
    const histogram = metrics.get('request_duration_seconds')?.histogram?.dataPoints[0];
    expect(Number(histogram?.count)).toBe(1);
    expect(histogram?.explicitBounds).toEqual([...CATALOG.requestDurationSeconds.boundaries!]);
    expect(metrics.get('request_duration_seconds')?.unit).toBe('s');
  });
});

describe('OTLP export to a receiver that is down', () => {
  let app: Server | undefined;
  afterEach(() => app?.close());

  it('neither slows nor breaks the application, and shutdown returns within its timeout', async () => {
    const deadPort = await freePort(); // nothing listens here
    const telemetry = await startWithOtlp(`http://127.0.0.1:${deadPort}`, 'http/protobuf', {
      shutdownTimeoutMs: 1500,
    });
    const durations = histogramRecorder(CATALOG.requestDurationSeconds);
    app = createServer((_request, response) => {
      durations.record(0.001, { method: 'GET', route: '/', status: '200' });
      response.end('ok');
    });
    await new Promise<void>((resolve) => app!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;

    // Requests made while exports fail in the background all succeed.
    const flushing = telemetry.forceFlush();
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(url).then((r) => r.text())));
    expect(answers.every((answer) => answer === 'ok')).toBe(true);
    await expect(flushing).resolves.toBeUndefined();

    const before = Date.now();
    await telemetry.shutdown();
    expect(Date.now() - before).toBeLessThan(1500 + 5000);
  });

  it('gives up a hanging export at the shutdown timeout', async () => {
    const hanging = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      hanging.closeAllConnections();
      hanging.close();
    });
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const telemetry = await startWithOtlp(url, 'http/protobuf', { shutdownTimeoutMs: 300 });
    recordSomething();
    const before = Date.now();
    await telemetry.forceFlush();
    await telemetry.shutdown();
    expect(Date.now() - before).toBeLessThan(300 * 2 + 5000);
  });
});
