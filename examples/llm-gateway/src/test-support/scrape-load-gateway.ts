/**
 * The gateway process of scrape-load.bench.ts: telemetry with `/metrics` on the API port or on a port of its
 * own (argv[2]: `same-port` | `metrics-port`), 2,000 extra series so a scrape carries what a busy service
 * has, and the gateway in front of the fake Ollama at OLLAMA_URL. Prints `{"api": …, "metrics": …}` once
 * listening; answers the IPC message `loop-delay` with its event-loop delay p99 since the last one; stops
 * on SIGTERM.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CATALOG, createMetricGroup } from '@sightglass/core';
import { startTelemetry } from '@sightglass/node';
import { createGateway } from '../gateway.js';

const EXTRA_SERIES = 2000;
const separate = process.argv[2] === 'metrics-port';
const telemetry = await startTelemetry({
  serviceName: 'scrape-load-bench',
  prometheus: separate ? { port: 0 } : { server: false },
  runtimeMetrics: false,
  labelLimits: { maxValues: EXTRA_SERIES + 100 },
});
const group = createMetricGroup();
for (let index = 0; index < EXTRA_SERIES; index++) {
  group.counter(CATALOG.cacheHits, { cache_name: `tenant-${index}` }).add(index);
}
const gateway = createGateway({
  ollamaUrl: process.env.OLLAMA_URL ?? 'http://127.0.0.1:11434',
  metrics: !separate,
  dashboard: false,
});
const api = await gateway.listen(0, '127.0.0.1');
const metrics = telemetry.metricsServer?.url ?? `${api}/metrics`;
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
process.on('message', () => {
  process.send?.({ loopDelayP99Ms: loopDelay.percentile(99) / 1e6 });
  loopDelay.reset();
});
process.stdout.write(`${JSON.stringify({ api, metrics })}\n`);
process.once('SIGTERM', async () => {
  loopDelay.disable();
  process.disconnect?.();
  await gateway.close();
  group.dispose();
  await telemetry.shutdown();
});
