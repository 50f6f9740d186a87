import { parseArgs } from 'node:util';
import type { HealthDetails } from './health-details.js';

/** How `main.ts` runs the gateway: from flags, else environment variables, else defaults. */
export interface GatewayConfig {
  /** `--ollama-url`, `OLLAMA_URL`; default `http://127.0.0.1:11434`. */
  ollamaUrl: string;
  /** `--port`, `PORT`; default 8080 (0 picks a free port). */
  port: number;
  /** `--host`, `HOST`; default `127.0.0.1` (`0.0.0.0` in a container). */
  host: string;
  /** `--model`, `MODEL`: the model common prompts are warmed for; default `llama3.2`. */
  model: string;
  /** `--embed-model`, `EMBED_MODEL`; default `nomic-embed-text`. */
  embedModel: string;
  /**
   * `--timeout-ms`, `OLLAMA_TIMEOUT_MS`: the longest a request waits for Ollama (queueing and retries
   * included); default 60000.
   */
  timeoutMs: number;
  /**
   * `--stream-idle-timeout-ms`, `STREAM_IDLE_TIMEOUT_MS`: the longest pause between two chunks of a stream
   * before it is ended with an error line; default 30000.
   */
  streamIdleTimeoutMs: number;
  /**
   * `--metrics-port`, `METRICS_PORT`: serve `/metrics` (and `/health`, `/livez`, `/readyz`, `/dashboard`)
   * on a port of its own instead of the API's; default none (all on the API port).
   */
  metricsPort: number | undefined;
  /** `--metrics-host`, `METRICS_HOST`: where the metrics port listens; default the API's host. */
  metricsHost: string;
  /**
   * `--health-details`, `HEALTH_DETAILS`: `always` or `never` shows or hides the checks' details (the
   * Ollama URL, upstream error text) in `/health` and `/readyz`; default none given, meaning shown on
   * loopback and hidden on an endpoint that listens beyond it (`HOST=0.0.0.0`).
   */
  healthDetails: HealthDetails | undefined;
  /**
   * `--cache-url`, `CACHE_URL`: keep the response cache in Redis (`redis://host:6379`), shared by every
   * replica; default none, meaning in memory, per process.
   */
  cacheUrl: string | undefined;
  /**
   * `--ps-poll`, `OLLAMA_PS_POLL=true`: poll Ollama's `/api/ps` for the models it has loaded (their memory,
   * VRAM and time until unload, as `ollama_model_*` gauges); `--ps-poll-interval-ms`,
   * `OLLAMA_PS_POLL_INTERVAL_MS` sets the time between two polls (at least 1000, default 15000) and turns
   * polling on too. Default none: off (`OLLAMA_PS_POLL=false` turns it off whatever the interval).
   */
  psPoll: { intervalMs: number } | undefined;
  /**
   * `--trace-url`, `TRACE_URL`: a trace viewer's URL with `{traceId}` (`http://jaeger:16686/trace/{traceId}`),
   * which turns the trace ids of the built-in dashboard's slowest requests into links; default none.
   */
  traceUrl: string | undefined;
}

const DEFAULT_PS_POLL_INTERVAL_MS = 15_000;
const MIN_PS_POLL_INTERVAL_MS = 1000;

function flag(value: string | undefined, what: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const lower = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new Error(`${what} must be true or false, got "${value}"`);
}

function psPoll(enabled: boolean | undefined, intervalMs: string | undefined): GatewayConfig['psPoll'] {
  const interval =
    intervalMs === undefined || intervalMs === ''
      ? undefined
      : number(intervalMs, 'ps poll interval (ms)', MIN_PS_POLL_INTERVAL_MS);
  if (enabled === false || (enabled === undefined && interval === undefined)) return undefined;
  return { intervalMs: interval ?? DEFAULT_PS_POLL_INTERVAL_MS };
}

function cacheUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`cache URL must be a redis:// or rediss:// URL, got "${value}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`cache URL must be a redis:// or rediss:// URL, got "${url.protocol}//…"`);
  }
  return value;
}

function healthDetails(value: string | undefined): HealthDetails | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'always' || value === 'never') return value;
  throw new Error(`health details must be "always" or "never", got "${value}"`);
}

function number(value: string, what: string, min: number): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed) || parsed < min) {
    throw new Error(`${what} must be an integer ≥ ${min}, got "${value}"`);
  }
  return parsed;
}

/**
 * Reads the gateway's configuration.
 *
 * @throws Error naming the flag or variable that is wrong (an unknown flag, a port that is not a number).
 */
export function readGatewayConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
): GatewayConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'ollama-url': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      model: { type: 'string' },
      'embed-model': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'stream-idle-timeout-ms': { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      'health-details': { type: 'string' },
      'cache-url': { type: 'string' },
      'ps-poll': { type: 'boolean' },
      'ps-poll-interval-ms': { type: 'string' },
      'trace-url': { type: 'string' },
    },
  });
  const port = values.port ?? env.PORT ?? '8080';
  const timeoutMs = values['timeout-ms'] ?? env.OLLAMA_TIMEOUT_MS ?? '60000';
  const streamIdleTimeoutMs = values['stream-idle-timeout-ms'] ?? env.STREAM_IDLE_TIMEOUT_MS ?? '30000';
  const metricsPort = values['metrics-port'] ?? env.METRICS_PORT;
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const config = {
    ollamaUrl: values['ollama-url'] ?? env.OLLAMA_URL ?? 'http://127.0.0.1:11434',
    port: number(port, 'port', 0),
    host,
    model: values.model ?? env.MODEL ?? 'llama3.2',
    embedModel: values['embed-model'] ?? env.EMBED_MODEL ?? 'nomic-embed-text',
    timeoutMs: number(timeoutMs, 'timeout', 1),
    streamIdleTimeoutMs: number(streamIdleTimeoutMs, 'stream idle timeout', 1),
    metricsPort:
      metricsPort === undefined || metricsPort === '' ? undefined : number(metricsPort, 'metrics port', 0),
    metricsHost: values['metrics-host'] ?? env.METRICS_HOST ?? host,
    healthDetails: healthDetails(values['health-details'] ?? env.HEALTH_DETAILS),
    cacheUrl: cacheUrl(values['cache-url'] ?? env.CACHE_URL),
    psPoll: psPoll(
      values['ps-poll'] ?? flag(env.OLLAMA_PS_POLL, 'OLLAMA_PS_POLL'),
      values['ps-poll-interval-ms'] ?? env.OLLAMA_PS_POLL_INTERVAL_MS,
    ),
    traceUrl: (values['trace-url'] ?? env.TRACE_URL) || undefined,
  };
  for (const [what, value] of [
    ['port', config.port],
    ['metrics port', config.metricsPort ?? 0],
  ] as const) {
    if (value > 65_535) throw new Error(`${what} must be at most 65535, got ${value}`);
  }
  return config;
}
