/**
 * node:http request metrics against the floor and the peers: server CPU per request, as a ratio to a plain
 * server in the same run. How it measures: test-support/bench/run.ts. Needs wrk (apt-get install -y wrk).
 */
import { runBench } from './test-support/bench/run.js';

await runBench({
  framework: 'node',
  title: 'node:http request metrics',
  variants: {
    plain: 'plain node:http',
    floor: 'floor (two clock reads, a close listener, one bucket)',
    ours: '**@sightglass/http instrumentRequestListener**',
    'plain-tracing': 'plain node:http, tracing on (context manager, tracer provider; no instrumentation)',
    'ours-unsampled': 'ours, tracing on, no request sampled (own span made, no exemplar)',
    'ours-sampled': 'ours, tracing on, every request sampled (own span, exemplar kept)',
    'prom-client': 'prom-client histogram, wired by hand',
    otel: '@opentelemetry/instrumentation-http + MeterProvider',
  },
  targets: [
    { kind: 'over-floor', case: 'ours', floor: 'floor', maxExcess: 0.02 },
    { kind: 'below', case: 'ours', peer: 'prom-client' },
    { kind: 'below', case: 'ours', peer: 'otel' },
  ],
});
