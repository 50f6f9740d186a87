import type { MemoryCache, WarmReport } from '@sightglass/cache';
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

/**
 * Answers requests from the cache, or from Ollama through the policy on a miss. Concurrent identical misses
 * call Ollama once (the cache coalesces them). Answers are cached as the JSON text sent back, so a hit costs
 * no serialization. Failures are never cached.
 */
export function createCachedUpstream(parts: {
  ollama: Ollama;
  policy: OllamaPolicy;
  cache: MemoryCache<string>;
}): CachedUpstream {
  const { ollama, policy, cache } = parts;
  // The cache hands each load a signal of its own, which the policy passes on to the attempt.
  const load =
    (request: GatewayRequest) =>
    async ({ signal }: { signal: AbortSignal }): Promise<string> =>
      JSON.stringify(
        await policy.execute(request.kind, (attempt) => askOllama(ollama, request, attempt), signal),
      );

  return {
    async answer(request) {
      const key = cacheKey(request);
      // `has` is not counted as a lookup, so cache_hits/misses stay one per request (getOrLoad counts it).
      const cached = cache.has(key);
      try {
        const json = await cache.getOrLoad(key, load(request));
        return { json, cache: cached ? 'hit' : 'miss' } satisfies Answer;
      } catch (error) {
        throw httpErrorFor(error, policy.settings) ?? error;
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
      return cache.warm(() => requests.map((request) => ({ key: cacheKey(request), load: load(request) })), {
        concurrency: options.concurrency ?? 4,
        ...(options.refreshEveryMs === undefined ? {} : { refreshEveryMs: options.refreshEveryMs }),
      });
    },
  };
}
