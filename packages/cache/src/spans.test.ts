/**
 * What getOrLoad records on the caller's span, and the cache.load child span, with a real tracer provider
 * (sdk-trace-base) and the AsyncLocalStorage context manager.
 */
import { diag, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AlwaysOffSampler, BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { eventsOf, failingSpanProcessor, startTracing, type Tracing } from '@sightglass/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCache } from './create-cache.js';
import type { MemoryCache } from './memory-cache.js';
import { memoryStore } from './memory-store.js';
import type { CacheOptions } from './options.js';
import {
  ATTR_CACHE_NAME,
  ATTR_ERROR_TYPE,
  EVENT_CACHE_COALESCED,
  EVENT_CACHE_HIT,
  EVENT_CACHE_MISS,
  EVENT_CACHE_STALE,
} from './span-attributes.js';

/** A span processor that can be told to throw, as a broken user processor would. */
const failing = failingSpanProcessor();

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing([failing]);
});
afterAll(async () => {
  await tracing.stop();
});

const caches: Array<MemoryCache<unknown>> = [];
function cache<V>(name: string, options: Partial<CacheOptions> = {}): MemoryCache<V> {
  const created = createCache<V>({ name, store: memoryStore<V>({ max: 100 }), health: false, ...options });
  caches.push(created as MemoryCache<unknown>);
  return created;
}
afterEach(async () => {
  for (const created of caches.splice(0)) await created.dispose();
  tracing.exporter.reset();
  failing.throwing = false;
  vi.useRealTimers();
});

class DownstreamError extends Error {
  override name = 'DownstreamError';
}
const KEY = 'prompt:what is the secret password';
const loadSpans = (): ReadableSpan[] =>
  tracing.exporter.getFinishedSpans().filter((span) => span.name.startsWith('cache.load'));
const isChildOf = (child: ReadableSpan, parent: ReadableSpan): boolean =>
  child.parentSpanContext?.spanId === parent.spanContext().spanId &&
  child.spanContext().traceId === parent.spanContext().traceId;

describe('getOrLoad on a recording span', () => {
  it('records a miss, loads in a cache.load child span, then records a hit', async () => {
    const answers = cache<string>('answers');
    let activeInLoader: Span | undefined;
    const miss = await tracing.inSpan('miss', () =>
      answers.getOrLoad(KEY, () => {
        activeInLoader = trace.getActiveSpan();
        return 'an answer';
      }),
    );
    expect(eventsOf(miss)).toEqual([[EVENT_CACHE_MISS, { [ATTR_CACHE_NAME]: 'answers' }]]);
    const [load] = loadSpans();
    expect(load).toBeDefined();
    expect(load!.name).toBe('cache.load answers');
    expect(load!.kind).toBe(SpanKind.INTERNAL);
    expect(load!.attributes).toEqual({ [ATTR_CACHE_NAME]: 'answers' });
    expect(load!.status.code).toBe(SpanStatusCode.UNSET);
    expect(load!.instrumentationScope.name).toBe('@sightglass/cache');
    expect(isChildOf(load!, miss)).toBe(true);
    // The loader's own spans (an Ollama call) hang under the load.
    expect(activeInLoader?.spanContext().spanId).toBe(load!.spanContext().spanId);

    tracing.exporter.reset();
    const hit = await tracing.inSpan('hit', () => answers.getOrLoad(KEY, () => 'not called'));
    // A fresh hit is not recorded by default (traceHits).
    expect(eventsOf(hit)).toEqual([]);
    expect(loadSpans()).toEqual([]);
  });

  it('records fresh hits as events with traceHits', async () => {
    const answers = cache<string>('hits-traced', { traceHits: true });
    answers.set(KEY, 'an answer');
    const hit = await tracing.inSpan('hit', () => answers.getOrLoad(KEY, () => 'not called'));
    expect(eventsOf(hit)).toEqual([[EVENT_CACHE_HIT, { [ATTR_CACHE_NAME]: 'hits-traced' }]]);
    expect(loadSpans()).toEqual([]);
    // Outside a span a hit is answered all the same, with nothing recorded.
    await expect(answers.getOrLoad(KEY, () => 'not called')).resolves.toBe('an answer');
    expect(tracing.exporter.getFinishedSpans().map((span) => span.name)).toEqual(['hit']);
  });

  it('records the callers that wait on a running load as coalesced; the load is the first caller’s child', async () => {
    const answers = cache<string>('coalescing');
    let release!: () => void;
    const loader = () =>
      new Promise<string>((resolve) => {
        release = () => resolve('loaded');
      });
    const first = tracing.inSpan('first', () => answers.getOrLoad(KEY, loader));
    const second = tracing.inSpan('second', () => answers.getOrLoad(KEY, loader));
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    // The second lookup has to reach the in-flight check before the load ends.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const [firstSpan, secondSpan] = await Promise.all([first, second]);
    expect(eventsOf(firstSpan)).toEqual([[EVENT_CACHE_MISS, { [ATTR_CACHE_NAME]: 'coalescing' }]]);
    expect(eventsOf(secondSpan)).toEqual([[EVENT_CACHE_COALESCED, { [ATTR_CACHE_NAME]: 'coalescing' }]]);
    expect(loadSpans()).toHaveLength(1);
    expect(isChildOf(loadSpans()[0]!, firstSpan)).toBe(true);
  });

  it('records a stale serve, and the background refresh as the stale caller’s child', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const answers = cache<string>('stale', { ttlMs: 1000, staleWhileRevalidateMs: 60_000 });
    answers.set(KEY, 'old');
    vi.setSystemTime(Date.now() + 1001);
    let refreshed!: () => void;
    const refreshedLoad = new Promise<void>((resolve) => {
      refreshed = resolve;
    });
    const stale = await tracing.inSpan('stale', async () => {
      expect(
        await answers.getOrLoad(KEY, () => {
          refreshed();
          return 'new';
        }),
      ).toBe('old');
    });
    await refreshedLoad;
    await vi.waitFor(() => expect(loadSpans()).toHaveLength(1));
    expect(eventsOf(stale)).toEqual([[EVENT_CACHE_STALE, { [ATTR_CACHE_NAME]: 'stale' }]]);
    expect(isChildOf(loadSpans()[0]!, stale)).toBe(true);
  });

  it('records a failed load on its span (exception, error.type, status ERROR) and throws nothing new', async () => {
    const answers = cache<string>('failing');
    const failure = new DownstreamError('ollama is down');
    let caught: unknown;
    const parent = await tracing.inSpan('caller', async () => {
      caught = await answers.getOrLoad(KEY, () => Promise.reject(failure)).catch((error: unknown) => error);
    });
    expect(caught).toBe(failure);
    expect(eventsOf(parent)).toEqual([[EVENT_CACHE_MISS, { [ATTR_CACHE_NAME]: 'failing' }]]);
    const [load] = loadSpans();
    expect(load!.status.code).toBe(SpanStatusCode.ERROR);
    expect(load!.attributes[ATTR_ERROR_TYPE]).toBe('DownstreamError');
    expect(load!.events.map((event) => event.name)).toEqual(['exception']);
    expect(load?.events[0]?.attributes).toMatchObject({ 'exception.message': 'ollama is down' });
  });

  it('records a load timeout by its code, without the key its message names', async () => {
    const answers = cache<string>('timing-out', { loadTimeoutMs: 5 });
    const error = await tracing.inSpan('caller', () => answers.getOrLoad(KEY, () => new Promise(() => {})));
    void error;
    const [load] = loadSpans();
    expect(load!.attributes[ATTR_ERROR_TYPE]).toBe('ERR_SIGHTGLASS_CACHE_LOAD_TIMEOUT');
    expect(load!.status.code).toBe(SpanStatusCode.ERROR);
    expect(load?.events[0]?.attributes).toMatchObject({
      'exception.type': 'ERR_SIGHTGLASS_CACHE_LOAD_TIMEOUT',
    });
  });

  it('never records a key', async () => {
    const answers = cache<string>('keys', { loadTimeoutMs: 5 });
    await tracing.inSpan('a', () => answers.getOrLoad(KEY, () => 'v'));
    await tracing.inSpan('b', () => answers.getOrLoad(KEY, () => 'v'));
    await tracing.inSpan('c', () => answers.getOrLoad(`${KEY}!`, () => new Promise(() => {})));
    await tracing.inSpan('d', () => answers.getOrLoad(`${KEY}?`, () => Promise.reject(new Error('no'))));
    const recorded = JSON.stringify(
      tracing.exporter.getFinishedSpans().map((span) => [span.name, span.attributes, span.events]),
    );
    expect(recorded).not.toContain('secret');
  });

  it('makes a warm-up’s loads children of its caller, and later passes’ loads of nobody', async () => {
    const answers = cache<string>('warming', { readinessWaitsForWarm: false });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const warmSpan = await tracing.inSpan('startup', () =>
      answers.warm(() => [{ key: 'a', load: () => 'A' }], { refreshEveryMs: 60_000 }),
    );
    expect(loadSpans()).toHaveLength(1);
    expect(isChildOf(loadSpans()[0]!, warmSpan)).toBe(true);
    tracing.exporter.reset();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(loadSpans()).toEqual([]); // no parent span: no load span
  });
});

describe('getOrLoad without a recording span', () => {
  it('adds no event and starts no span under a span that is not recording', async () => {
    const answers = cache<string>('sampled-out');
    const span = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('off').startSpan('x');
    const addEvent = vi.spyOn(span, 'addEvent');
    await tracing.withSpan(span, async () => {
      await answers.getOrLoad('k', () => 'v');
      await answers.getOrLoad('k', () => 'v');
    });
    expect(addEvent).not.toHaveBeenCalled();
    expect(tracing.exporter.getFinishedSpans()).toEqual([]);
  });

  it('starts no load span without an active span', async () => {
    const answers = cache<string>('no-parent');
    await answers.getOrLoad('k', () => 'v');
    expect(tracing.exporter.getFinishedSpans()).toEqual([]);
  });
});

describe('a failing span processor', () => {
  it('never reaches the caller: load spans that fail to start or end leave getOrLoad unchanged', async () => {
    const answers = cache<string>('broken-processor');
    const parent = tracing.startSpan('caller');
    const logged = vi.spyOn(diag, 'error').mockImplementation(() => {});
    failing.throwing = true;
    await tracing.withSpan(parent, async () => {
      await expect(answers.getOrLoad('a', () => 'A')).resolves.toBe('A');
      await expect(answers.getOrLoad('a', () => 'not called')).resolves.toBe('A');
      await expect(answers.getOrLoad('b', () => Promise.reject(new DownstreamError('x')))).rejects.toThrow(
        'x',
      );
    });
    failing.throwing = false;
    parent.end();
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('load span'), expect.any(Error));
    logged.mockRestore();
  });

  it('never reaches the caller when the span throws on addEvent', async () => {
    const answers = cache<string>('throwing-span');
    const span = tracing.startSpan('throws');
    vi.spyOn(span, 'addEvent').mockImplementation(() => {
      throw new Error('broken span');
    });
    await tracing.withSpan(span, async () => {
      await expect(answers.getOrLoad('a', () => 'A')).resolves.toBe('A');
      await expect(answers.getOrLoad('a', () => 'B')).resolves.toBe('A');
    });
    span.end();
  });
});
