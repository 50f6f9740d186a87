import { createServer, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createCache,
  type MemoryCache,
  memoryStore,
  type RemoteCache,
  redisStore,
  type WarmReport,
} from '@sightglass/cache';
import { instrumentRequestListener } from '@sightglass/http';
import { Ollama, type PsPollOptions } from '@sightglass/ollama';
import { createDashboard, type DashboardOptions, type PrometheusReader } from '@sightglass/prometheus';
import { createCachedUpstream } from './cached-upstream.js';
import { defaultHealthDetails, type HealthDetails } from './health-details.js';
import { listen } from './listen.js';
import { createOllamaPolicy, type OllamaPolicy, type PolicyOptions } from './ollama-policy.js';
import type { GatewayRequest } from './requests.js';
import { API_ROUTES, createRouter, opsRoutes, UNMEASURED_PATHS } from './router.js';
import { StreamOutcomes } from './stream-response.js';

/**
 * Where the response cache keeps answers: in this process's memory (the default), or in a Redis that every
 * replica of the gateway shares.
 */
export interface GatewayRedisOptions {
  /** The Redis URL, e.g. `redis://127.0.0.1:6379`; credentials and a database number go in it. */
  url: string;
  /**
   * Prepended to every key, so that other applications (or another gateway's cache) can share the Redis.
   * Replicas that share answers must use the same prefix.
   * @default `llm-gateway:`
   */
  keyPrefix?: string;
  /**
   * How long one Redis command may take before it counts as failed and the request is answered from Ollama,
   * in ms.
   * @default 500
   */
  commandTimeoutMs?: number;
}

/** The response cache: in memory, bounded by entries and by bytes of cached JSON, or on Redis. */
export interface GatewayCacheOptions {
  /** The `cache_name` label and the name in `/health`. Default `responses`. */
  name?: string;
  /**
   * Keep answers in Redis, shared by every replica, instead of in memory. A Redis outage fails open: answers
   * come from Ollama, `/health` shows the cache degraded, and the cache recovers by itself when Redis is
   * back; the gateway also starts with Redis down. `maxEntries` and `maxBytes` do not apply (Redis's
   * `maxmemory` bounds it).
   * @default none: in memory
   */
  redis?: GatewayRedisOptions;
  /** Most answers kept in memory. Default 10000. */
  maxEntries?: number;
  /** Most bytes of answers kept in memory (UTF-16 code units of the JSON, close enough). Default 64 MiB. */
  maxBytes?: number;
  /** How long an answer is served from the cache, in ms. Default 10 minutes. */
  ttlMs?: number;
}

/** The response cache: answers as the JSON text sent back, in memory or on Redis. */
export type ResponseCache = MemoryCache<string> | RemoteCache<string>;

/** Answers are JSON text already: stored as they are, not encoded again. */
const TEXT = { serialize: (text: string) => text, deserialize: (text: string) => text };

/** Options of {@link createGateway}. Only `ollamaUrl` is required. */
export interface GatewayOptions {
  /** Where Ollama listens, e.g. `http://127.0.0.1:11434`. */
  ollamaUrl: string;
  /** Timeout, retry and breaker settings; the name is also the connection pool's `pool_name`. */
  policy?: PolicyOptions;
  cache?: GatewayCacheOptions;
  /** Connections the pool to Ollama opens at most. Default 16. */
  connections?: number;
  /**
   * Poll Ollama's `/api/ps` for the models it has loaded: `ollama_model_loaded`, their size and VRAM bytes,
   * seconds until each is unloaded, failed polls (`ollama_ps_poll_failures_total`), and the poller in the
   * pool's `/health` details. `true` polls every 15 s; `intervalMs` at least 1000.
   * @default false
   */
  psPoll?: boolean | PsPollOptions;
  /** The Prometheus reader `/metrics` serves. Default: the one `startTelemetry()` registered. */
  reader?: PrometheusReader;
  /**
   * Serve `/metrics` on the API's port. Default `true`; `false` when a metrics server of its own serves it
   * (`METRICS_PORT`), so scrapes neither share the API's port nor reach it from outside.
   */
  metrics?: boolean;
  /** The live dashboard at `/dashboard`, or `false` for none. Default `true`; options bound its history. */
  dashboard?: boolean | DashboardOptions;
  /**
   * Whether `/health` (and `/readyz`'s reasons) show each check's details: the Ollama URL, upstream error
   * text, cache store errors. Default: shown while the gateway listens on loopback only, hidden once it
   * listens beyond it (`0.0.0.0` in a container), decided at each request from where the server listens.
   */
  healthDetails?: HealthDetails;
  /** The largest request body, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** How long `close()` lets requests in flight finish before it aborts their Ollama calls, in ms. Default 2000. */
  closeGraceMs?: number;
  /** Called with unexpected errors (bugs), which are answered with 500. Default `console.error`. */
  onUnexpectedError?: (error: unknown) => void;
}

/** A gateway: its HTTP server (not yet listening) and the parts it is made of. */
export interface Gateway {
  readonly server: Server;
  readonly ollama: Ollama;
  readonly policy: OllamaPolicy;
  /** The response cache: a `MemoryCache`, or a `RemoteCache` with `cache.redis`. */
  readonly cache: ResponseCache;
  /** The paths it serves: the API's and the operational endpoints'. */
  readonly routes: readonly string[];
  /**
   * Loads answers to common requests into the cache through its warming API. `/readyz` answers 503 until
   * the first pass is done. Never rejects: failures are counted and shown in `/health`.
   */
  warm(
    requests: readonly GatewayRequest[],
    options?: { concurrency?: number; refreshEveryMs?: number },
  ): Promise<WarmReport>;
  /** Starts listening; resolves with the base URL, e.g. `http://127.0.0.1:8080`. Port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting requests, lets those in flight finish (up to `closeGraceMs`), then releases everything. */
  close(): Promise<void>;
}

/** The response cache the options describe: in memory, or on Redis (connecting in the background). */
function createResponseCache(options: GatewayCacheOptions): ResponseCache {
  const name = options.name ?? 'responses';
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  if (options.redis !== undefined) {
    const { url, keyPrefix = 'llm-gateway:', commandTimeoutMs } = options.redis;
    return createCache<string>({
      name,
      store: redisStore<string>({
        url,
        keyPrefix,
        serializer: TEXT,
        ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
      }),
      ttlMs,
    });
  }
  return createCache<string>({
    name,
    store: memoryStore<string>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxBytes ?? 64 * 1024 * 1024,
      sizeOf: (json) => json.length,
    }),
    ttlMs,
  });
}

/**
 * Creates the LLM gateway: `POST /v1/chat`, `/v1/generate` and `/v1/embed` answered from a response cache or
 * by Ollama through a retry, a circuit breaker and a timeout, with request metrics, and `/metrics`,
 * `/health`, `/livez` and `/readyz` on the same port. Call `startTelemetry()` (from `@sightglass/node`) once
 * before, so the metrics have somewhere to go.
 *
 * @example
 * const gateway = createGateway({ ollamaUrl: 'http://127.0.0.1:11434' });
 * const warming = gateway.warm(commonRequests({ model: 'llama3.2', embedModel: 'nomic-embed-text' }));
 * console.log(await gateway.listen(8080)); // http://127.0.0.1:8080
 * await warming;
 */
export function createGateway(options: GatewayOptions): Gateway {
  const policy = createOllamaPolicy(options.policy);
  // The policy wraps each call from outside (see ollama-policy.ts). The client keeps its own retry of
  // connections that never carried the request, which is always safe.
  const ollama = new Ollama({
    host: options.ollamaUrl,
    name: policy.settings.name,
    connections: options.connections ?? 16,
    ...(options.psPoll === undefined ? {} : { psPoll: options.psPoll }),
  });
  const cache = createResponseCache(options.cache ?? {});
  const upstream = createCachedUpstream({ ollama, policy, cache });
  const streamOutcomes = new StreamOutcomes();
  // `server` is created below; the function is asked only once a request came in on it.
  const ops = opsRoutes({
    ...(options.reader === undefined ? {} : { reader: options.reader }),
    metrics: options.metrics !== false,
    details: options.healthDetails ?? (() => defaultHealthDetails(server)),
  });
  // The built-in dashboard answers `/dashboard` and the feed and scripts below it, ahead of the router (and
  // of the request metrics: its once-a-second polling is not the API's traffic).
  const dashboard =
    options.dashboard === false
      ? undefined
      : createDashboard(typeof options.dashboard === 'object' ? options.dashboard : {});
  const routes = [...Object.keys(API_ROUTES), ...Object.keys(ops), ...(dashboard ? [dashboard.path] : [])];
  const listener = instrumentRequestListener(
    createRouter({
      upstream,
      ops,
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(options.onUnexpectedError === undefined ? {} : { onUnexpectedError: options.onUnexpectedError }),
      streamOutcomes,
    }),
    // Route templates, never raw paths, become the `route` label; unknown paths count as `unmatched`.
    { routes, ignorePaths: UNMEASURED_PATHS },
  );
  // Responses in flight, so that closing can ask for their connections to close once they are answered:
  // Node keeps a keep-alive connection open after server.close(), which would hold close() for its whole grace.
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;
  const server = createServer((request, response) => {
    if (dashboard?.handle(request, response)) return;
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
    if (closing !== undefined) response.setHeader('connection', 'close');
    listener(request, response);
  });

  return {
    server,
    ollama,
    policy,
    cache,
    routes,
    warm: (requests, warmOptions) => upstream.warm(requests, warmOptions),
    listen: (port, host) => listen(server, port, host),
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
        await Promise.race([stopped, delay(options.closeGraceMs ?? 2000, undefined, { ref: false })]);
        await ollama.close(); // calls still waiting on Ollama end now; their clients get a 502
        server.closeAllConnections();
        await stopped;
        await cache.dispose();
        dashboard?.close();
        policy.dispose();
        streamOutcomes.dispose();
        listener.dispose();
      })();
      return closing;
    },
  };
}
