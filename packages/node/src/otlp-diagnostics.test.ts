/**
 * What docs/otlp.md ("Seeing export failures: OTEL_LOG_LEVEL") promises, from a real outage: a collector port
 * that is closed, then a collector that starts listening on it, and the lines the console logger prints.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { CATALOG, createMetricGroup } from '@sightglass/core';
import { freePort } from '@sightglass/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasDiagLogger } from './diag-logger.js';
import { startTelemetry, type Telemetry } from './start-telemetry.js';

// Hoisted above the imports by vitest, so it runs before them: DiagConsoleLogger keeps the console methods
// it finds when @opentelemetry/api loads.
const printed = vi.hoisted(() => ({
  error: vi.spyOn(console, 'error').mockImplementation(() => {}),
  warn: vi.spyOn(console, 'warn').mockImplementation(() => {}),
  info: vi.spyOn(console, 'info').mockImplementation(() => {}),
  debug: vi.spyOn(console, 'debug').mockImplementation(() => {}),
}));
const lines = (spy: { mock: { calls: unknown[][] } }): string[] =>
  spy.mock.calls.map((args) => args.map(String).join(' '));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const spy of Object.values(printed)) spy.mockClear();
});

/** The sample lines of docs/otlp.md, for the port the test uses. */
function documentedLines(port: number): { failure: string; recovery: RegExp } {
  const docs = readFileSync(new URL('../../../docs/otlp.md', import.meta.url), 'utf8');
  const samples = docs.split('\n').filter((line) => line.startsWith('sightglass: OTLP metrics export to'));
  const [failure, recovery] = samples.map((line) => line.replaceAll('4318', String(port)));
  if (failure === undefined || recovery === undefined) throw new Error('docs/otlp.md lost its sample lines');
  const escaped = recovery
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/after \d+ failed/, 'after (\\d+) failed');
  return { failure, recovery: new RegExp(`^${escaped}$`) };
}

/** A collector that answers every OTLP/HTTP export with 200, on a given port (the test-kit one picks its own). */
async function listenAsCollector(port: number): Promise<{ readonly exports: number }> {
  let exports = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/v1/metrics') exports += 1;
      response.writeHead(request.url === '/v1/metrics' ? 200 : 404, {
        'content-type': 'application/x-protobuf',
      });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return {
    get exports() {
      return exports;
    },
  };
}

/** Starts OTLP export to `url`, every `intervalMs`, each export timing out after as long. */
async function startAgainst(url: string, logLevel: string, intervalMs: number): Promise<Telemetry> {
  const telemetry = await startTelemetry({
    env: { OTEL_LOG_LEVEL: logLevel },
    serviceName: 'diagnostics-test',
    runtimeMetrics: false,
    healthMetrics: false,
    prometheus: false,
    otlp: { url, protocol: 'http/protobuf', intervalMs, timeoutMs: intervalMs },
  });
  cleanups.push(() => telemetry.shutdown());
  const group = createMetricGroup();
  group.counter(CATALOG.cacheHits, { cache_name: 'diagnostics' }).inc();
  cleanups.push(async () => group.dispose());
  return telemetry;
}

describe('OTEL_LOG_LEVEL and a collector that is down, then back', () => {
  it('prints the failure once over many exports, and the recovery once, as docs/otlp.md shows', async () => {
    const port = await freePort(); // nothing listens there
    const documented = documentedLines(port);
    // Short intervals, but a refused connection on a loaded machine must not time out first.
    const telemetry = await startAgainst(`http://127.0.0.1:${port}`, 'INFO', 300);

    await vi.waitFor(() => expect(lines(printed.error)).toEqual([documented.failure]), { timeout: 10_000 });
    for (let i = 0; i < 3; i++) await telemetry.forceFlush(); // three more failed exports, beside the interval's
    expect(lines(printed.error)).toEqual([documented.failure]);

    const collector = await listenAsCollector(port);
    const recoveries = () => lines(printed.info).filter((line) => line.startsWith('sightglass:'));
    await vi.waitFor(() => expect(recoveries()).toHaveLength(1), { timeout: 10_000 }); // the interval's export
    for (let i = 0; i < 2; i++) await telemetry.forceFlush();
    expect(collector.exports).toBeGreaterThanOrEqual(3);

    expect(recoveries()).toHaveLength(1);
    const [, failedExports] = documented.recovery.exec(recoveries()[0]!) ?? [];
    expect(Number(failedExports)).toBeGreaterThanOrEqual(4);
    expect(lines(printed.error)).toEqual([documented.failure]); // nothing else as an error, in the whole run
    expect(lines(printed.warn)).toEqual([]);

    await telemetry.shutdown();
    expect(hasDiagLogger()).toBe(false);
  });

  it('prints a hanging collector once as a timeout, without the SDK repeating it every interval', async () => {
    const hanging = createServer(() => {}); // accepts requests, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      hanging.closeAllConnections();
      hanging.close();
    });
    const { port } = hanging.address() as { port: number };
    const telemetry = await startAgainst(`http://127.0.0.1:${port}`, 'error', 100);

    await vi.waitFor(() => expect(lines(printed.error)).toHaveLength(1), { timeout: 10_000 });
    for (let i = 0; i < 3; i++) await telemetry.forceFlush();
    expect(lines(printed.error)).toEqual([
      `sightglass: OTLP metrics export to http://127.0.0.1:${port}/v1/metrics failed (timeout): export timed ` +
        'out after 100 ms; further failures of this kind are not logged until an export succeeds',
    ]);
    expect(lines(printed.info)).toEqual([]); // ERROR hides info
  });
});
