/** Without a tracer provider or context manager: every getOrLoad path runs unchanged and throws nothing. */
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterEach, expect, it, vi } from 'vitest';
import { createCache } from './create-cache.js';
import { memoryStore } from './memory-store.js';

afterEach(() => {
  vi.useRealTimers();
});

it('hits, misses, coalesces, serves stale and fails loads as without tracing', async () => {
  expect(trace.getActiveSpan()).toBeUndefined();
  expect(context.active()).toBe(ROOT_CONTEXT);
  vi.useFakeTimers({ toFake: ['Date'] });
  const answers = createCache<string>({
    name: 'untraced',
    store: memoryStore<string>({ max: 10 }),
    ttlMs: 1000,
    staleWhileRevalidateMs: 10_000,
    health: false,
  });
  let loads = 0;
  const loader = async () => {
    loads++;
    expect(trace.getActiveSpan()).toBeUndefined();
    return `v${loads}`;
  };
  const [first, second] = await Promise.all([answers.getOrLoad('k', loader), answers.getOrLoad('k', loader)]);
  expect([first, second, loads]).toEqual(['v1', 'v1', 1]);
  expect(await answers.getOrLoad('k', loader)).toBe('v1');
  vi.setSystemTime(Date.now() + 1001);
  expect(await answers.getOrLoad('k', loader)).toBe('v1'); // stale, refreshed behind
  await vi.waitFor(() => expect(loads).toBe(2));
  await expect(answers.getOrLoad('bad', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
  await answers.dispose();
});
