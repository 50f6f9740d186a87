/**
 * A miss on an asynchronous store answers as soon as its loader did: the write of the loaded value runs in
 * the background, bounded, its failures counted and never thrown. On a store stub, so that a write can be
 * held forever or made to fail.
 */
import { ErrorCode, healthRegistry } from '@sightglass/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PENDING_WRITES } from './base-cache.js';
import { createCache } from './create-cache.js';
import type { RemoteCache } from './redis-cache.js';
import type { AsyncStore, Entry } from './store.js';
import { cacheSeries } from './test-support/metrics.js';

/** A store whose writes wait until `release()` (or fail with `failWrites`). */
function heldStore() {
  const entries = new Map<string, Entry<string>>();
  const held: Array<() => void> = [];
  const state = { failWrites: undefined as Error | undefined, closeFails: false };
  const store = {
    kind: 'stub',
    sync: false,
    attach() {},
    size: () => entries.size,
    connected: () => true,
    get: async (key: string) => entries.get(key),
    set(key: string, entry: Entry<string>): Promise<void> {
      if (state.failWrites !== undefined) return Promise.reject(state.failWrites);
      return new Promise<void>((resolve) => {
        held.push(() => {
          entries.set(key, entry);
          resolve();
        });
      });
    },
    delete: async (key: string) => entries.delete(key),
    has: async (key: string) => entries.has(key),
    clear: async () => entries.clear(),
    close: async () => {
      if (state.closeFails) throw new Error('close failed');
    },
  } satisfies AsyncStore<string>;
  return Object.assign(store, {
    state,
    release() {
      for (const write of held.splice(0)) write();
    },
    held: () => held.length,
  });
}

const caches: Array<RemoteCache<string>> = [];
afterEach(async () => {
  for (const cache of caches.splice(0)) await cache.dispose();
});
function cache(name: string, store: AsyncStore<string>, onStoreError?: 'fail-closed') {
  const created = createCache<string>({ name, store, ...(onStoreError ? { onStoreError } : {}) });
  caches.push(created);
  return created;
}

describe('writes of loaded values', () => {
  it('answers a miss while its write is still waiting, and counts the set once it lands', async () => {
    const store = heldStore();
    const answers = cache('held-write', store);
    expect(await answers.getOrLoad('k', () => 'loaded')).toBe('loaded');
    expect(store.held()).toBe(1);
    const details = async () =>
      (await healthRegistry().evaluate()).components.cache?.['held-write']?.details as {
        store: { pending_writes: number };
      };
    expect((await details()).store.pending_writes).toBe(1);
    expect(cacheSeries('held-write').sets).toBe(0);
    store.release();
    await expect.poll(() => cacheSeries('held-write').sets).toBe(1);
    expect(await answers.get('k')).toBe('loaded');
    expect((await details()).store.pending_writes).toBe(0);
  });

  it(`keeps at most ${MAX_PENDING_WRITES} in the background, and counts the writes it skipped`, async () => {
    const store = heldStore();
    const answers = cache('bounded-writes', store);
    for (let i = 0; i < MAX_PENDING_WRITES + 3; i++) await answers.getOrLoad(`k${i}`, () => 'v');
    expect(store.held()).toBe(MAX_PENDING_WRITES);
    expect(cacheSeries('bounded-writes').errors('set')).toBe(3);
    const health = (await healthRegistry().evaluate()).components.cache?.['bounded-writes'];
    expect(health).toMatchObject({
      status: 'degraded',
      details: { store: { reason: expect.stringMatching(/^set failed/), last_error: expect.any(String) } },
    });
    store.release();
    await expect.poll(() => cacheSeries('bounded-writes').sets).toBe(MAX_PENDING_WRITES);
  });

  it('never throws a failed write at the caller, even failing closed', async () => {
    const store = heldStore();
    store.state.failWrites = new Error('READONLY You cannot write against a read only replica.');
    const strict = cache('failed-write', store, 'fail-closed');
    expect(await strict.getOrLoad('k', () => 'loaded')).toBe('loaded');
    await expect.poll(() => cacheSeries('failed-write').errors('set')).toBe(1);
    expect(cacheSeries('failed-write').loadFailures).toBe(0);
    // A direct set() is still the caller's to see.
    await expect(strict.set('k', 'v')).rejects.toMatchObject({ code: ErrorCode.CACHE_STORE_UNAVAILABLE });
  });

  it('resolves dispose() when the store fails to close', async () => {
    const store = heldStore();
    store.state.closeFails = true;
    const answers = createCache<string>({ name: 'close-fails', store });
    await expect(answers.dispose()).resolves.toBeUndefined();
  });
});
