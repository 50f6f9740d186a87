import { STATUS_CODES } from 'node:http';
import { spanErrorType } from '@sightglass/core';
import type { Dispatcher, Pool } from 'undici';
import type { Call } from './call.js';
import {
  ConnectionError,
  errorCode,
  errorType,
  isConnectionFailure,
  isNeverSent,
  isUndiciTimeout,
  MalformedResponseError,
  OllamaError,
  OllamaErrorCode,
  ResponseError,
  TimeoutError,
} from './errors.js';
import type { ParsedHost } from './host.js';
import { LineResponseHandler } from './line-handler.js';
import type { LineReader } from './ndjson-lines.js';
import type { ExecutionPolicy } from './options.js';
import type { PoolMonitor } from './pool-monitor.js';
import { timePoolWait } from './pool-wait.js';

/** The response of a request that got its headers and a status below 400. */
export type OkResponse = Dispatcher.ResponseData;

/** Codes of a connection that was open and broke (a failure to open is counted by the pool's event). */
const BROKEN_CONNECTION_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** How many characters of a bad body an error quotes. */
const EXCERPT = 200;

/** Which retry began an attempt: the client's own (`retry` option) or its `policy`. */
export type RetrySource = 'connection' | 'policy';

/** What a traced call adds to its requests: the headers carrying its trace context, and news of its retries. */
export interface RequestTracing {
  /** The headers of the call's requests (the client's, with `traceparent` when it is propagated). */
  readonly headers: Record<string, string>;
  /**
   * Another attempt begins after a failed one: retry number `attempt` (1 = the second attempt), after a
   * failure of `errorType`; `delayMs` is the wait before it (connection retries).
   */
  retried(by: RetrySource, attempt: number, errorType: string, delayMs?: number): void;
}

/** What a request needs besides its call. */
export interface TransportOptions {
  pool: Pool;
  host: ParsedHost;
  headers: Record<string, string>;
  retries: number;
  retryDelayMs: number;
  policy: ExecutionPolicy | undefined;
  monitor: PoolMonitor;
}

/**
 * Sends requests through the pool: retries connection failures that happen before the answer began, turns
 * every failure into a typed error, and runs the whole under the client's policy, if any.
 */
export class Transport {
  /** The pool, timing how long each `request()` waits for a connection when the pool reports metrics. */
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: TransportOptions) {
    this.dispatcher = options.monitor.metrics ? timePoolWait(options.pool, options.monitor) : options.pool;
  }

  /**
   * Runs `work` (which calls {@link request}) under the policy. The policy's signal aborts the current
   * attempt's request (a policy timeout frees the connection), not the call, so a retry can try again.
   */
  run<T>(call: Call, work: () => Promise<T>, tracing?: RequestTracing): Promise<T> {
    const policy = this.options.policy;
    if (policy === undefined) return work();
    if (tracing !== undefined) work = attempts(work, tracing);
    return policy.execute(async (context) => {
      const signal = context?.signal;
      if (signal === undefined || signal === call.signal) return work();
      // The policy's signal cancels this attempt, not the call: a retry around a timeout can try again, and
      // the policy's own error (cockatiel's TaskCancelledError) is what the caller sees.
      const endAttempt = call.beginAttempt(signal);
      try {
        return await work();
      } finally {
        endAttempt();
      }
    }, call.signal);
  }

  /** Sends one request and resolves once its headers arrived with a status below 400. */
  async request(
    call: Call,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: string,
    tracing?: RequestTracing,
  ): Promise<OkResponse> {
    const { host } = this.options;
    const headers = tracing?.headers ?? this.options.headers;
    const dispatcher = this.dispatcher;
    const response = await this.withRetries(
      call,
      () =>
        dispatcher.request({
          path: `${host.basePath}${path}`,
          method,
          headers,
          body,
          signal: call.requestSignal,
        }),
      tracing,
    );
    if (response.statusCode >= 400) throw await this.statusError(response, call);
    return response;
  }

  /**
   * Sends a request answered with NDJSON and resolves once its headers arrived with a status below 400,
   * with the answer's lines. The body is read by a dispatch handler, not through a Readable: a streamed
   * answer is hundreds of small chunks, and the stream machinery was most of what each one cost.
   */
  async stream(
    call: Call,
    path: string,
    body: string,
    tracing?: RequestTracing,
  ): Promise<{ statusCode: number; lines: LineReader }> {
    const { pool, host, monitor } = this.options;
    const headers = tracing?.headers ?? this.options.headers;
    const response = await this.withRetries(
      call,
      () => {
        const handler = new LineResponseHandler(call.requestSignal, monitor.metrics ? monitor : undefined);
        pool.dispatch({ path: `${host.basePath}${path}`, method: 'POST', headers, body }, handler);
        return handler.response;
      },
      tracing,
    );
    if (response.lines !== undefined) return { statusCode: response.statusCode, lines: response.lines };
    if (response.bodyFailure !== undefined) throw this.fail(response.bodyFailure, call, true);
    throw errorFromBody(response.statusCode, response.errorText ?? '');
  }

  /**
   * Sends with `send` until the answer's headers arrive. Only a connection that never carried the request
   * is tried again (refused, unresolvable, connect timeout): after a reset the server may already be
   * generating, or have acted on a pull or delete.
   */
  private async withRetries<R>(
    call: Call,
    send: () => Promise<R>,
    tracing: RequestTracing | undefined,
  ): Promise<R> {
    const { retries, retryDelayMs, monitor } = this.options;
    for (let attempt = 0; ; attempt++) {
      let response: R;
      try {
        response = await send();
      } catch (error) {
        const mapped = this.fail(error, call, false);
        if (mapped instanceof ConnectionError && isNeverSent(error) && attempt < retries) {
          const delayMs = retryDelayMs * 2 ** attempt;
          // The socket's code (ECONNREFUSED, ENOTFOUND) says more than the call's connection_failed.
          tracing?.retried('connection', attempt + 1, spanErrorType(error), delayMs);
          await delay(delayMs, call.requestSignal);
          const reason = call.requestReason;
          if (reason !== undefined) throw reason;
          continue;
        }
        throw mapped;
      }
      monitor.reached();
      return response;
    }
  }

  /** Reads a whole answer and parses it as JSON; a cut-off or broken body is a typed error. */
  async json<T>(response: OkResponse, call: Call): Promise<T> {
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.fail(error, call, true);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new MalformedResponseError(text.slice(0, EXCERPT), { cause: error });
    }
  }

  /** Reads and discards an answer (delete and copy answer with an empty body). */
  async discard(response: OkResponse, call: Call): Promise<void> {
    try {
      await response.body.dump({ limit: Number.POSITIVE_INFINITY });
    } catch (error) {
      throw this.fail(error, call, true);
    }
  }

  /**
   * Turns what undici or a socket threw into the call's typed error. A connection that broke under the
   * request (reset, closed by the other side) is a reset, whether or not the answer had begun (`began`):
   * Ollama may have the request. Only a connection that could not carry it (refused, unresolvable, timed out
   * connecting) failed; after `began` every broken connection is a reset.
   */
  fail(error: unknown, call: Call, began: boolean): unknown {
    const reason = call.requestReason;
    if (reason !== undefined) return reason;
    if (error instanceof OllamaError) return error;
    if (isUndiciTimeout(error)) {
      return new TimeoutError(`Ollama did not answer in time (${errorCode(error)})`, { cause: error });
    }
    if (isConnectionFailure(error)) {
      const code = errorCode(error) ?? '';
      const broken = BROKEN_CONNECTION_CODES.has(code);
      this.options.monitor.connectionFailed(error, broken);
      const message = error instanceof Error ? error.message : String(error);
      return began || broken
        ? new ConnectionError(
            OllamaErrorCode.CONNECTION_RESET,
            began
              ? `The connection to Ollama broke mid-answer: ${message} (${code})`
              : `The connection to Ollama broke before its answer began (it may have the request): ${message} (${code})`,
            { cause: error },
          )
        : new ConnectionError(
            OllamaErrorCode.CONNECTION_FAILED,
            `The connection to Ollama at ${this.options.host.origin} failed before an answer came: ${message} (${code})`,
            { cause: error },
          );
    }
    return error;
  }

  /** The `ResponseError` of a status ≥ 400, once its body was read. */
  private async statusError(response: OkResponse, call: Call): Promise<unknown> {
    let text = '';
    try {
      text = await response.body.text();
    } catch (error) {
      return this.fail(error, call, true);
    }
    return errorFromBody(response.statusCode, text);
  }
}

/**
 * `work` telling `tracing` when the policy runs it again: each run after the first is a retry, after the
 * failure of the run before.
 */
function attempts<T>(work: () => Promise<T>, tracing: RequestTracing): () => Promise<T> {
  let runs = 0;
  let lastError: unknown;
  return async () => {
    if (runs++ > 0) tracing.retried('policy', runs - 1, errorType(lastError));
    try {
      return await work();
    } catch (error) {
      lastError = error;
      throw error;
    }
  };
}

/** The `ResponseError` of a status ≥ 400, with the server's own message when it sent one. */
function errorFromBody(status: number, text: string): ResponseError {
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed?.error === 'string') message = parsed.error;
  } catch {
    // Not JSON (a proxy's page, Gin's plain-text 404): the text itself is the best message there is.
  }
  if (message === '') message = `Error ${status}: ${STATUS_CODES[status] ?? 'Unknown'}`;
  return new ResponseError(message.slice(0, 2000), status);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
