/**
 * The cost of the span checks on the no-span path: the policies whose call path checks for a span (a
 * bulkhead with a free slot, a timeout), raw cockatiel against instrumented, first with no tracer provider at
 * all, then with a provider and the AsyncLocalStorage context manager registered but no active span; and the
 * span check itself (`recordingSpan()`). A closed breaker's and a retry's call path look nothing up.
 * Informational (no CI): the target is at most 2% with no active span.
 */

import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { compare, finish } from '@sightglass/bench-kit';
import { recordingSpan } from '@sightglass/core/internal';
import { bulkhead, TimeoutStrategy, timeout } from 'cockatiel';
import { instrumentBulkhead } from './bulkhead.js';
import { instrumentTimeout } from './timeout.js';

const CALLS = 100;
const work = async (): Promise<number> => 1;
const rawBulkhead = bulkhead(64, 64);
const instrumentedBulkhead = instrumentBulkhead(bulkhead(64, 64), { name: 'bench-bulkhead' });
const rawTimeout = timeout(10_000, TimeoutStrategy.Aggressive);
const instrumentedTimeout = instrumentTimeout(timeout(10_000, TimeoutStrategy.Aggressive), {
  name: 'bench-timeout',
});

async function rawBulkheadLoop(): Promise<void> {
  for (let i = 0; i < CALLS; i++) await rawBulkhead.execute(work);
}
async function instrumentedBulkheadLoop(): Promise<void> {
  for (let i = 0; i < CALLS; i++) await instrumentedBulkhead.execute(work);
}
async function rawTimeoutLoop(): Promise<void> {
  for (let i = 0; i < CALLS; i++) await rawTimeout.execute(work);
}
async function instrumentedTimeoutLoop(): Promise<void> {
  for (let i = 0; i < CALLS; i++) await instrumentedTimeout.execute(work);
}
let sink: unknown;
function spanChecks(): void {
  for (let i = 0; i < 1000; i++) sink = recordingSpan();
}
function nothing(): void {
  for (let i = 0; i < 1000; i++) sink = i;
}

async function run(setting: string): Promise<void> {
  await compare({
    title: `bulkhead execute, a free slot (${setting})`,
    baseline: { name: 'cockatiel bulkhead', opsPerCall: CALLS, fn: rawBulkheadLoop },
    candidates: [{ name: 'instrumented bulkhead', opsPerCall: CALLS, fn: instrumentedBulkheadLoop }],
    rounds: 7,
  });
  await compare({
    title: `timeout execute (${setting})`,
    baseline: { name: 'cockatiel timeout', opsPerCall: CALLS, fn: rawTimeoutLoop },
    candidates: [{ name: 'instrumented timeout', opsPerCall: CALLS, fn: instrumentedTimeoutLoop }],
    rounds: 7,
  });
  await compare({
    title: `recordingSpan() (${setting})`,
    baseline: { name: 'empty loop', opsPerCall: 1000, fn: nothing },
    candidates: [{ name: 'recordingSpan()', opsPerCall: 1000, fn: spanChecks }],
    rounds: 5,
  });
}

await run('no tracer provider');
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider());
await run('a tracer provider, no active span');
void sink;
finish();
