/**
 * The cost of the span check on the no-span path of getOrLoad: a memory-cache getOrLoad hit against
 * recordingSpan() alone (the one check it added), first with no tracer provider, then with a provider and
 * the AsyncLocalStorage context manager registered but no active span. A plain `get` looks nothing up.
 * Informational (no CI): the target is no active span <= 2%.
 */

import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { compare, finish } from '@sightglass/bench-kit';
import { recordingSpan } from '@sightglass/core';
import { createCache } from './create-cache.js';
import { memoryStore } from './memory-store.js';

const OPS = 100;
const cache = createCache<string>({ name: 'bench-spans', store: memoryStore({ max: 100 }), health: false });
cache.set('k', 'v');
const loader = () => 'v';
let sink: unknown;
async function hits(): Promise<void> {
  for (let i = 0; i < OPS; i++) sink = await cache.getOrLoad('k', loader);
}
async function checksAndAwaits(): Promise<void> {
  for (let i = 0; i < OPS; i++) {
    sink = recordingSpan();
    await undefined;
  }
}
async function awaits(): Promise<void> {
  for (let i = 0; i < OPS; i++) sink = await undefined;
}

async function run(setting: string): Promise<void> {
  await compare({
    title: `getOrLoad hit and the span check it makes (${setting})`,
    baseline: { name: 'getOrLoad hit', opsPerCall: OPS, fn: hits },
    candidates: [
      { name: 'an await', opsPerCall: OPS, fn: awaits },
      { name: 'recordingSpan() + an await', opsPerCall: OPS, fn: checksAndAwaits },
    ],
    rounds: 7,
  });
}

await run('no tracer provider');
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider());
await run('a tracer provider, no active span');
void sink;
await cache.dispose();
finish();
