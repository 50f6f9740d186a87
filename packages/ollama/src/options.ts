import { ErrorCode, SightglassError } from '@sightglass/core';
import {
  type ValidationErrorCode,
  validateInteger,
  validateName,
  validateNumber,
} from '@sightglass/core/internal';
import { DEFAULT_MAX_CONTENT_BYTES } from './content.js';
import type { ResolvedTracing } from './genai-span.js';
import type { HeadersInit } from './headers.js';
import { type PsPollOptions, type ResolvedPsPoll, resolvePsPoll } from './ps-poller.js';

/** Retries of connection failures that happen before any byte of the answer arrived. */
export interface RetryOptions {
  /**
   * Retries after the first attempt (cockatiel's meaning of `maxAttempts`); 0 turns retries off.
   * @default 2
   */
  maxAttempts?: number;
  /**
   * Delay before the first retry in ms, doubled for each further one.
   * @default 50
   */
  delayMs?: number;
}

/** What the GenAI client spans record and send; see {@link Config.tracing}. */
export interface TracingOptions {
  /**
   * Record prompts and answers on the span, as the GenAI conventions' opt-in attributes
   * `gen_ai.input.messages`, `gen_ai.output.messages` and (generate's `system`) `gen_ai.system_instructions`,
   * JSON strings of at most `maxContentBytes` each. They hold whatever your users typed: turn this on only
   * where your traces may hold it. Never on metrics. Embeddings' inputs are never recorded.
   * @default true when the environment variable `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is
   *   `true` (as OpenTelemetry's GenAI instrumentations read it), else false
   */
  captureContent?: boolean;
  /**
   * The largest content attribute, in UTF-8 bytes of its JSON: past it, the longest texts are cut (each cut
   * one ends in `…[truncated, N characters]`) so that the JSON stays whole, then the oldest messages are
   * left out. At least 1024.
   * @default 16384
   */
  maxContentBytes?: number;
  /**
   * Send the call span's trace context to Ollama in each request's headers (W3C `traceparent` and
   * `tracestate`, or whatever propagator the application registered), so a proxy or gateway in front of
   * Ollama can continue the trace. A `traceparent` among the client's own `headers` is sent instead.
   * @default true
   */
  propagateContext?: boolean;
  /**
   * Make a span only for a call made under an active span (a traced request handler, a job's span): a call
   * with none makes no span, sends no trace context and keeps no exemplar, and costs nothing of tracing.
   * Off by default, as a GenAI call is a unit worth tracing on its own (a script, a queue worker).
   * @default false
   */
  requireParentSpan?: boolean;
}

/** Options of `new Ollama(config)`: the `ollama` package's `host` and `headers`, and Sightglass's own. */
export interface Config {
  /**
   * Where Ollama listens: a URL, `host:port` or `:port`.
   * @default `OLLAMA_HOST`, else `http://127.0.0.1:11434`
   */
  host?: string;
  /**
   * Headers sent with every request.
   * @default none
   */
  headers?: HeadersInit;
  /**
   * The pool's name: the `pool_name` label and the health check's name.
   * @default `ollama` (`ollama_2`, … when taken)
   */
  name?: string;
  /**
   * The most connections the pool opens.
   * @default 16
   */
  connections?: number;
  /**
   * Requests in flight per connection.
   * @default 1 (Ollama answers one request per connection at a time)
   */
  pipelining?: number;
  /**
   * How long an idle connection is kept, in ms (a server's keep-alive hint may shorten it).
   * @default 10000
   */
  keepAliveTimeout?: number;
  /**
   * How long to wait for a connection to open, in ms.
   * @default 10000
   */
  connectTimeout?: number;
  /**
   * How long to wait for the response headers, in ms; 0 = no limit. Default 0: a non-streamed generation
   * sends its headers only once the whole answer is ready, which can take minutes.
   * @default 0
   */
  headersTimeout?: number;
  /**
   * The longest silence between two pieces of a body, in ms; 0 = no limit.
   * @default 300000
   */
  bodyTimeout?: number;
  /**
   * The default time limit of a call in ms (streams: until the last line).
   * @default none
   */
  timeoutMs?: number;
  /**
   * Retries of connection failures before any byte arrived; `false` turns them off.
   * @default `{ maxAttempts: 2 }`
   */
  retry?: RetryOptions | false;
  /**
   * Report pool and GenAI metrics.
   * @default true
   */
  metrics?: boolean;
  /**
   * A CLIENT span for every chat, generate, embed and embeddings call (the GenAI semantic conventions
   * v1.41.0), when a tracer provider is registered, with `traceparent` sent to Ollama; the metrics' duration
   * and time to first chunk keep the sampled span as their exemplar. `true` for the defaults, an object to
   * change them, `false` for no span and no header.
   * @default true
   */
  tracing?: boolean | TracingOptions;
  /**
   * Register the pool in the health registry (component `connection_pool`).
   * @default true
   */
  health?: boolean;
  /**
   * Poll `GET /api/ps` for the models Ollama holds in memory (their size, VRAM and expiry as gauges): `true`
   * for the defaults (every 15 s, 5 s timeout), or `{ intervalMs, timeoutMs }`. Needs `metrics`.
   * @default false
   */
  psPoll?: boolean | PsPollOptions;
}

/** Options of one call, the last argument of every method. */
export interface CallOptions {
  /**
   * Aborts the call (and its stream) when it aborts.
   * @default none
   */
  signal?: AbortSignal;
  /**
   * This call's time limit in ms, instead of the client's `timeoutMs`.
   * @default the client's `timeoutMs`
   */
  timeoutMs?: number;
}

/** The client's options with defaults applied. */
export interface ResolvedConfig {
  name: string;
  nameGiven: boolean;
  connections: number;
  pipelining: number;
  keepAliveTimeout: number;
  connectTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
  timeoutMs: number | undefined;
  retries: number;
  retryDelayMs: number;
  metrics: boolean;
  health: boolean;
  psPoll: ResolvedPsPoll | undefined;
  tracing: ResolvedTracing | undefined;
}

const KNOWN_OPTIONS = new Set([
  'host',
  'headers',
  'name',
  'connections',
  'pipelining',
  'keepAliveTimeout',
  'connectTimeout',
  'headersTimeout',
  'bodyTimeout',
  'timeoutMs',
  'retry',
  'metrics',
  'health',
  'psPoll',
  'tracing',
  // accepted for compatibility with the `ollama` package, and ignored: the transport is the pool
  'fetch',
  'proxy',
]);

function invalid(message: string): never {
  throw new SightglassError(ErrorCode.INVALID_CONFIG, message);
}

function integer(value: unknown, what: string, fallback: number, min: number): number {
  return value === undefined
    ? fallback
    : validateInteger(value, what, { code: ErrorCode.INVALID_CONFIG, min });
}

/**
 * Checks a call's `timeoutMs` (an argument of that call: `INVALID_ARGUMENT`) or, with `INVALID_CONFIG`, the
 * client's option.
 */
export function checkTimeout(
  value: unknown,
  code: ValidationErrorCode = ErrorCode.INVALID_ARGUMENT,
): number | undefined {
  if (value === undefined) return undefined;
  return validateNumber(value, 'timeoutMs', { code, above: 0, unit: 'milliseconds' });
}

/**
 * Applies defaults and checks every option; an unknown option (usually a typo) is an error too.
 *
 * @throws SightglassError `ERR_SIGHTGLASS_INVALID_CONFIG`, or `ERR_SIGHTGLASS_INVALID_NAME` for a bad name.
 */
export function resolveConfig(
  config: Config,
  env: Record<string, string | undefined> = process.env,
): ResolvedConfig {
  for (const key of Object.keys(config)) {
    if (!KNOWN_OPTIONS.has(key)) invalid(`unknown Ollama option "${key}"`);
  }
  const retry = config.retry ?? {};
  if (retry !== false && (typeof retry !== 'object' || retry === null)) {
    invalid('retry must be an object or false');
  }
  return {
    name: config.name === undefined ? 'ollama' : validateName(config.name, 'Ollama pool'),
    nameGiven: config.name !== undefined,
    connections: integer(config.connections, 'connections', 16, 1),
    pipelining: integer(config.pipelining, 'pipelining', 1, 1),
    keepAliveTimeout: integer(config.keepAliveTimeout, 'keepAliveTimeout', 10_000, 1),
    connectTimeout: integer(config.connectTimeout, 'connectTimeout', 10_000, 1),
    headersTimeout: integer(config.headersTimeout, 'headersTimeout', 0, 0),
    bodyTimeout: integer(config.bodyTimeout, 'bodyTimeout', 300_000, 0),
    timeoutMs: checkTimeout(config.timeoutMs, ErrorCode.INVALID_CONFIG),
    retries: retry === false ? 0 : integer(retry.maxAttempts, 'retry.maxAttempts', 2, 0),
    retryDelayMs: retry === false ? 0 : integer(retry.delayMs, 'retry.delayMs', 50, 0),
    metrics: config.metrics ?? true,
    health: config.health ?? true,
    psPoll: resolvePsPoll(config.psPoll),
    tracing: resolveTracing(config.tracing, env),
  };
}

const TRACING_OPTIONS = new Set([
  'captureContent',
  'maxContentBytes',
  'propagateContext',
  'requireParentSpan',
]);

/** The smallest `maxContentBytes`: room for a message's structure and the start of its text. */
const MIN_CONTENT_BYTES = 1024;

function flag(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalid(`${what} must be true or false, got ${String(value)}`);
  return value;
}

/** Applies the tracing defaults and checks the options; `false` turns tracing off. */
function resolveTracing(
  tracing: Config['tracing'],
  env: Record<string, string | undefined>,
): ResolvedTracing | undefined {
  if (tracing === false) return undefined;
  if (tracing !== undefined && tracing !== true && (typeof tracing !== 'object' || tracing === null)) {
    invalid('tracing must be true, false or an object');
  }
  const options = typeof tracing === 'object' ? tracing : {};
  for (const key of Object.keys(options)) {
    if (!TRACING_OPTIONS.has(key)) invalid(`unknown tracing option "${key}"`);
  }
  const fromEnv = env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.trim().toLowerCase() === 'true';
  return {
    captureContent: flag(options.captureContent, 'tracing.captureContent', fromEnv),
    maxContentBytes: integer(
      options.maxContentBytes,
      'tracing.maxContentBytes',
      DEFAULT_MAX_CONTENT_BYTES,
      MIN_CONTENT_BYTES,
    ),
    propagateContext: flag(options.propagateContext, 'tracing.propagateContext', true),
    requireParentSpan: flag(options.requireParentSpan, 'tracing.requireParentSpan', false),
  };
}
