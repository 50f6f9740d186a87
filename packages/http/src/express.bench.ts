/**
 * Express 5 request metrics against the floor and the peers: server CPU per request, as a ratio to a plain
 * Express server in the same run. How it measures: test-support/bench/run.ts. Needs wrk.
 */
import { runBench } from './test-support/bench/run.js';

await runBench({
  framework: 'express',
  title: 'Express 5 request metrics',
  variants: {
    plain: 'plain Express',
    floor: 'floor (a middleware: two clock reads, a close listener, one bucket)',
    ours: '**@sightglass/http expressRequestMetrics**',
    'express-prom-bundle': 'express-prom-bundle',
    otel: '@opentelemetry/instrumentation-http + MeterProvider',
  },
  targets: [
    { kind: 'over-floor', case: 'ours', floor: 'floor', maxExcess: 0.04 },
    { kind: 'below', case: 'ours', peer: 'express-prom-bundle' },
    { kind: 'below', case: 'ours', peer: 'otel' },
  ],
});
