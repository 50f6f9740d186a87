/**
 * A micro-benchmark of what tracing adds to a request's path, not part of `pnpm bench`:
 * `node --import tsx src/test-support/bench/tracing-micro.ts`. It times, in tight loops, the code each
 * adapter runs per request for tracing, against an empty loop in the same rounds, in three set-ups one after
 * the other: nothing of OpenTelemetry registered; a global MeterProvider only (the API's globals exist, no
 * context manager); and instrumentation-http's situation (the AsyncLocalStorage context manager, the
 * request run inside a context holding its RPC metadata, the route handed to it). Prints nanoseconds per
 * request, the minimum over the rounds (the least noisy figure on a shared machine).
 */
import type { IncomingMessage } from 'node:http';
import { context, INVALID_SPAN_CONTEXT, metrics, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { contextManagerRegistered, RPC_METADATA_KEY, resetGlobalsLookup } from '../../otel-http-internals.js';
import { traceRequest } from '../../server-span.js';

const CALLS = 2_000_000;
const ROUNDS = 21;
const request = { method: 'GET', url: '/hello/world', headers: {} } as IncomingMessage;
const tracing = process.argv[2] !== 'off';
let sink = 0;

/** What an adapter adds per request (node-http.ts, express.ts, fastify.ts): the check, and if it passes the traced path. */
function added(started: number): void {
  if (tracing && started >= 0 && contextManagerRegistered(started)) {
    if (traceRequest(request, '/hello/:name') !== undefined) sink++;
  }
}

function time(loop: () => void): number {
  const started = process.hrtime.bigint();
  loop();
  return Number(process.hrtime.bigint() - started) / CALLS;
}

function measure(name: string, run: (fn: () => number) => number = (fn) => fn()): void {
  let best = Number.POSITIVE_INFINITY;
  let baseline = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    baseline = Math.min(
      baseline,
      run(() =>
        time(() => {
          for (let index = 0; index < CALLS; index++) sink += index & 1;
        }),
      ),
    );
    best = Math.min(
      best,
      run(() =>
        time(() => {
          for (let index = 0; index < CALLS; index++) {
            sink += index & 1;
            added(index);
          }
        }),
      ),
    );
  }
  console.log(`| ${name} | ${(best - baseline).toFixed(1)} |`);
}

console.log('| set-up | added per request, ns |');
console.log('|---|---:|');
measure('nothing of OpenTelemetry registered');
metrics.setGlobalMeterProvider(metrics.getMeterProvider());
resetGlobalsLookup();
measure('a global MeterProvider, no context manager');
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const metadata = { type: 'http', span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT) };
measure('instrumentation-http: context manager, RPC metadata in the context (route handed over)', (fn) =>
  context.with(ROOT_CONTEXT.setValue(RPC_METADATA_KEY, metadata), fn),
);
if (sink === 0) console.log('');
