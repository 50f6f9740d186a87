/**
 * The LLM gateway on its own, in front of an Ollama:
 *
 *   OLLAMA_URL=http://127.0.0.1:11434 PORT=8080 node dist/main.js
 *   node dist/main.js --ollama-url http://gpu-box:11434 --port 8080 --model llama3.2
 *   METRICS_PORT=9464 node dist/main.js     # /metrics, /health and /dashboard on a port of their own
 *   CACHE_URL=redis://127.0.0.1:6379 node dist/main.js   # one response cache for every replica
 *   OLLAMA_PS_POLL=true node dist/main.js     # the models Ollama has loaded, from /api/ps
 *   OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node dist/main.js   # traces
 *   TRACE_URL='http://127.0.0.1:16686/trace/{traceId}' ...   # the dashboard's slow requests link to Jaeger
 *
 * This is the file to copy: telemetry first, then the gateway, warm-up, and a clean shutdown.
 */

import { startTelemetry, type Telemetry } from '@sightglass/node';
import { markNotReady } from '@sightglass/prometheus';
import { commonRequests } from './common-prompts.js';
import { readGatewayConfig } from './config.js';
import { createGateway } from './gateway.js';
import { isLoopback } from './health-details.js';

/** A URL without its password, fit for a log line. */
function redactUrl(text: string): string {
  const url = new URL(text);
  if (url.password !== '') url.password = '***';
  return url.toString();
}

/**
 * What start-up says about traces. Tracing is on when `OTEL_TRACES_EXPORTER` asks for it (with the other
 * standard variables: `OTEL_EXPORTER_OTLP_*`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`); a request's server span,
 * its cache and breaker decisions and its Ollama call then share one trace, and the latency buckets on
 * `/metrics` carry exemplars pointing at sampled ones.
 */
function tracingLine(tracing: Telemetry['config']['tracing']): string {
  if (tracing === undefined) return 'traces: off (set OTEL_TRACES_EXPORTER=otlp to send them)';
  const to = [
    ...(tracing.otlp === undefined ? [] : [`OTLP ${tracing.otlp.protocol} to ${tracing.otlp.url}`]),
    ...(tracing.console ? ['the console'] : []),
  ];
  const { name, ratio } = tracing.sampler;
  return `traces: ${to.join(' and ')} (sampler ${name}${name.includes('ratio') ? ` ${ratio}` : ''})`;
}

async function main(): Promise<void> {
  const config = readGatewayConfig();
  // One MeterProvider for the process. `/metrics` is served on the API's port, or with METRICS_PORT by the
  // standalone metrics server on a port of its own (recommended beyond localhost: docs/monitoring.md).
  const separateMetrics = config.metricsPort !== undefined;
  // /health details (the Ollama URL, upstream errors) are hidden on a port that listens beyond loopback
  // unless HEALTH_DETAILS says otherwise; the gateway decides for its own port from where it listens.
  const metricsDetails = config.healthDetails ?? (isLoopback(config.metricsHost) ? 'always' : 'never');
  // TRACE_URL links the dashboard's slowest requests to a trace viewer.
  const dashboard = config.traceUrl === undefined ? {} : { traceUrl: config.traceUrl };
  const telemetry = await startTelemetry({
    serviceName: 'llm-gateway',
    prometheus: separateMetrics
      ? { port: config.metricsPort, host: config.metricsHost, details: metricsDetails, dashboard }
      : { server: false },
  });
  const gateway = createGateway({
    ollamaUrl: config.ollamaUrl,
    policy: { timeoutMs: config.timeoutMs, streamIdleTimeoutMs: config.streamIdleTimeoutMs },
    // With CACHE_URL every replica shares the answers in Redis; it starts (degraded) with Redis down too.
    ...(config.cacheUrl === undefined ? {} : { cache: { redis: { url: config.cacheUrl } } }),
    // OLLAMA_PS_POLL: the models Ollama has loaded, their memory and time until unload, from /api/ps.
    ...(config.psPoll === undefined ? {} : { psPoll: config.psPoll }),
    metrics: !separateMetrics,
    dashboard: separateMetrics ? false : dashboard,
    ...(config.healthDetails === undefined ? {} : { healthDetails: config.healthDetails }),
  });

  // Warm before listening, so /readyz says "not ready" from the first request until the common answers are in.
  // Refreshed every 5 minutes, within the cache's 10-minute TTL, so they never go cold.
  const warming = gateway.warm(commonRequests(config), { refreshEveryMs: 5 * 60_000 });
  const url = await gateway.listen(config.port, config.host);
  console.log(`llm-gateway: POST ${url}/v1/chat, ${url}/v1/generate, ${url}/v1/embed`);
  const metricsUrl = telemetry.metricsServer?.url ?? `${url}/metrics`;
  console.log(`metrics: ${metricsUrl}  health: ${url}/health  (Ollama: ${config.ollamaUrl})`);
  console.log(
    `cache: ${config.cacheUrl === undefined ? 'in memory' : `Redis at ${redactUrl(config.cacheUrl)}`}`,
  );
  console.log(tracingLine(telemetry.config.tracing));
  if (config.psPoll !== undefined) {
    console.log(`/api/ps: polled every ${config.psPoll.intervalMs} ms (loaded models, memory, unload times)`);
  }
  warming.then((report) =>
    console.log(
      `warmed ${report.loaded} common answers in ${Math.round(report.durationMs)} ms (${report.failed} failed)`,
    ),
  );

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // A load balancer polling /readyz sees 503 and stops sending new requests; give it a few probes' time
    // (SHUTDOWN_DELAY_MS, default 0: nothing polls a local run) before the server stops accepting.
    markNotReady('shutting down');
    const delayMs = Number(process.env.SHUTDOWN_DELAY_MS ?? 0);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    await gateway.close();
    await telemetry.shutdown();
    console.log('stopped cleanly');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
