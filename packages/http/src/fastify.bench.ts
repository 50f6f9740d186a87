/**
 * Fastify 5 request metrics against the floor and the peer: server CPU per request, as a ratio to a plain
 * Fastify server in the same run. How it measures: test-support/bench/run.ts. Needs wrk.
 */
import { runBench } from './test-support/bench/run.js';

await runBench({
  framework: 'fastify',
  title: 'Fastify 5 request metrics',
  variants: {
    plain: 'plain Fastify',
    floor: 'floor (an onRequest hook: two clock reads, a close listener, one bucket)',
    ours: '**@sightglass/http fastifyRequestMetrics**',
    'fastify-metrics': 'fastify-metrics',
  },
  targets: [
    { kind: 'over-floor', case: 'ours', floor: 'floor', maxExcess: 0.04 },
    { kind: 'below', case: 'ours', peer: 'fastify-metrics' },
  ],
});
