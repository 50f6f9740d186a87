import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CATALOG, createHistogramRecorder, createMetricGroup } from '@sightglass/core';
import { type OtlpReceiver, startOtlpGrpcReceiver, startOtlpHttpReceiver } from '@sightglass/test-kit';
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

function recordSomething(route = '/v1/chat'): void {
  const group = createMetricGroup();
  group.counter(CATALOG.circuitBreakerFailures, { breaker_name: 'ollama' }).add(4);
  group.gauge(CATALOG.circuitBreakerState, { breaker_name: 'ollama' }, () => 1);
  createHistogramRecorder(CATALOG.requestDurationSeconds).record(0.3, {
    method: 'POST',
    route,
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
    recordSomething(`/v1/chat/${protocol}`);
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
    const histogram = metrics
      .get('request_duration_seconds')
      ?.histogram?.dataPoints.find((point) =>
        point.attributes?.some((attribute) => attribute.value.stringValue === `/v1/chat/${protocol}`),
      );
    expect(Number(histogram?.count)).toBe(1);
    expect(histogram?.explicitBounds).toEqual([...CATALOG.requestDurationSeconds.boundaries!]);
    expect(metrics.get('request_duration_seconds')?.unit).toBe('s');
  });
});

describe('OTLP export to a receiver that went down', () => {
  let app: Server | undefined;
  afterEach(() => app?.close());

  it('leaves the application serving, and flush and shutdown resolving', async () => {
    const receiver = await startOtlpHttpReceiver();
    const telemetry = await startWithOtlp(receiver.url, 'http/protobuf', { shutdownTimeoutMs: 1000 });
    recordSomething();
    await telemetry.forceFlush();
    expect(receiver.received).toHaveLength(1);
    await receiver.close(); // the collector goes away while the application runs

    const durations = createHistogramRecorder(CATALOG.requestDurationSeconds);
    app = createServer((_request, response) => {
      durations.record(0.001, { method: 'GET', route: '/', status: '200' });
      response.end('ok');
    });
    await new Promise<void>((resolve) => app!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    const flushing = telemetry.forceFlush(); // fails in the background
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(url).then((r) => r.text())));
    expect(answers.every((answer) => answer === 'ok')).toBe(true);
    await expect(flushing).resolves.toBeUndefined();
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
    expect(receiver.received).toHaveLength(1);
  });

  it('lets the process exit soon after shutdown() even when the collector hangs', async () => {
    const hanging = createServer(() => {}); // accepts requests, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      hanging.closeAllConnections();
      hanging.close();
    });
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    // A child process exports to it, then shuts down; with the OTel default export timeout (30 s) the
    // pending request would hold the process open long after shutdown() returned.
    const script = `
      import { startTelemetry } from '@sightglass/node';
      import { CATALOG, createMetricGroup } from '@sightglass/core';
      const telemetry = await startTelemetry({ env: {}, runtimeMetrics: false, prometheus: false,
        otlp: { url: ${JSON.stringify(url)} }, shutdownTimeoutMs: 500 });
      createMetricGroup().counter(CATALOG.cacheHits, { cache_name: 'c' }).inc();
      void telemetry.forceFlush();
      await telemetry.shutdown();
    `;
    const started = Date.now();
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        timeout: 20_000,
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(result).toEqual({ code: 0, stderr: '' });
    expect(Date.now() - started).toBeLessThan(10_000); // far below the 30 s an uncapped export would take
  });
});
