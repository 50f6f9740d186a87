/**
 * What the span check costs a memory-cache getOrLoad hit: the default cache (a fresh hit reads no context,
 * so it runs no OpenTelemetry code at all) against one with `traceHits: true` (one recordingSpan() per hit),
 * first with no tracer provider, then with a provider and the AsyncLocalStorage context manager registered
 * but no active span. Informational (no CI): the target is at most 2% with no active span, which the default
 * meets by doing nothing; `traceHits` is the opt-in that pays the check.
 */

import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { compare, finish } from '@sightglass/bench-kit';
import { recordingSpan } from '@sightglass/core/internal';
import { createCache } from './create-cache.js';
import { memoryStore } from './memory-store.js';

const OPS = 100;
const store = () => memoryStore<string>({ max: 100 });
const untraced = createCache<string>({ name: 'bench-spans', store: store(), health: false });
const traced = createCache<string>({ name: 'bench-hits', store: store(), health: false, traceHits: true });
untraced.set('k', 'v');
traced.set('k', 'v');
const loader = () => 'v';
let sink: unknown;
const hits = (cache: typeof untraced) => async (): Promise<void> => {
  for (let i = 0; i < OPS; i++) sink = await cache.getOrLoad('k', loader);
};
async function checks(): Promise<void> {
  for (let i = 0; i < OPS; i++) sink = recordingSpan();
}

async function run(setting: string): Promise<void> {
  await compare({
    title: `getOrLoad hit, and with traceHits (${setting})`,
    baseline: { name: 'getOrLoad hit (default)', opsPerCall: OPS, fn: hits(untraced) },
    candidates: [
      { name: 'getOrLoad hit, traceHits: true', opsPerCall: OPS, fn: hits(traced) },
      { name: 'recordingSpan() alone', opsPerCall: OPS, fn: checks },
    ],
    rounds: 7,
  });
}

await run('no tracer provider');
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider());
await run('a tracer provider, no active span');
void sink;
await untraced.dispose();
await traced.dispose();
finish();
