import type { MemoryCache, RemoteCache, WarmReport } from '@sightglass/cache';
import type { Ollama } from '@sightglass/ollama';
import { askOllama, streamOllama } from './ask-ollama.js';
import { cacheKey } from './cache-key.js';
import type { OllamaPolicy } from './ollama-policy.js';
import type { GatewayRequest } from './requests.js';
import type { Answer, Upstream } from './upstream.js';
import { httpErrorFor } from './upstream-errors.js';

/** The Sightglass way to Ollama: a response cache in front, then the policy, then the pooled client. */
export interface CachedUpstream extends Upstream {
  /** Loads answers to `requests` into the cache (the cache's warming API); never rejects. */
  warm(
    requests: readonly GatewayRequest[],
    options?: { concurrency?: number; refreshEveryMs?: number },
  ): Promise<WarmReport>;
}

/** A request waiting for its answer; `loaded` once a load of its key started while it waited. */
interface Waiter {
  loaded: boolean;
}

/**
 * Answers requests from the cache, or from Ollama through the policy on a miss. Concurrent identical misses
 * call Ollama once (the cache coalesces them). Answers are cached as the JSON text sent back, so a hit costs
 * no serialization. Failures are never cached. The cache is in memory or on Redis; a Redis outage reads as
 * misses (answered by Ollama), never as an error.
 */
export function createCachedUpstream(parts: {
  ollama: Ollama;
  policy: OllamaPolicy;
  cache: MemoryCache<string> | RemoteCache<string>;
}): CachedUpstream {
  const { ollama, policy, cache } = parts;
  // Whether an answer came from the cache (`x-cache`), whatever the store: a request is a miss when a load of
  // its key ran while it waited (its own, or the one it was coalesced with), which asking the store first
  // could not tell without a second round trip to Redis.
  const waiting = new Map<string, Set<Waiter>>();
  const loads = new Map<string, number>();
  // The cache hands each load a signal of its own, which the policy passes on to the attempt.
  const load =
    (request: GatewayRequest, key: string) =>
    async ({ signal }: { signal: AbortSignal }): Promise<string> => {
      for (const waiter of waiting.get(key) ?? []) waiter.loaded = true;
      loads.set(key, (loads.get(key) ?? 0) + 1);
      try {
        return JSON.stringify(
          await policy.execute(request.kind, (attempt) => askOllama(ollama, request, attempt), signal),
        );
      } finally {
        const left = (loads.get(key) ?? 1) - 1;
        if (left === 0) loads.delete(key);
        else loads.set(key, left);
      }
    };

  return {
    async answer(request) {
      const key = cacheKey(request);
      const waiter: Waiter = { loaded: loads.has(key) };
      const waiters = waiting.get(key) ?? new Set<Waiter>();
      waiting.set(key, waiters);
      waiters.add(waiter);
      try {
        const json = await cache.getOrLoad(key, load(request, key));
        return { json, cache: waiter.loaded ? 'miss' : 'hit' } satisfies Answer;
      } catch (error) {
        throw httpErrorFor(error, policy.settings) ?? error;
      } finally {
        waiters.delete(waiter);
        if (waiters.size === 0 && waiting.get(key) === waiters) waiting.delete(key);
      }
    },
    // Streams bypass the cache (an answer is cached whole, and a stream's point is its first token). The
    // policy's deadline bounds the wait for Ollama's first bytes; its breaker sees the whole stream.
    async stream(request, signal) {
      try {
        return await policy.stream(request.kind, (stream) => streamOllama(ollama, request, stream), signal);
      } catch (error) {
        throw httpErrorFor(error, policy.settings) ?? error;
      }
    },
    warm(requests, options = {}) {
      return cache.warm(
        () =>
          requests.map((request) => {
            const key = cacheKey(request);
            return { key, load: load(request, key) };
          }),
        {
          concurrency: options.concurrency ?? 4,
          ...(options.refreshEveryMs === undefined ? {} : { refreshEveryMs: options.refreshEveryMs }),
        },
      );
    },
  };
}
