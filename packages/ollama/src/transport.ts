import { STATUS_CODES } from 'node:http';
import { spanErrorType } from '@sightglass/core/internal';
import type { Dispatcher, Pool } from 'undici';
import type { Call } from './call.js';
import {
  ConnectionError,
  errorCode,
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
import type { PoolMonitor } from './pool-monitor.js';
import { timePoolWait } from './pool-wait.js';

/** The response of a request that got its headers and a status below 400. */
export type OkResponse = Dispatcher.ResponseData;

/** Codes of a connection that was open and broke (a failure to open is counted by the pool's event). */
const BROKEN_CONNECTION_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** How many characters of a bad body an error quotes. */
const EXCERPT = 200;

/** What a traced call adds to its requests: the headers carrying its trace context, and news of its retries. */
export interface RequestTracing {
  /** The headers of the call's requests (the client's, with `traceparent` when it is propagated). */
  readonly headers: Record<string, string>;
  /**
   * The client retries a connection that never carried the request: retry number `attempt` (1 = the second
   * attempt), after a failure of `errorType` (the socket's code), in `delayMs`.
   */
  retried(attempt: number, errorType: string, delayMs: number): void;
}

/** What a request needs besides its call. */
export interface TransportOptions {
  pool: Pool;
  host: ParsedHost;
  headers: Record<string, string>;
  retries: number;
  retryDelayMs: number;
  monitor: PoolMonitor;
}

/**
 * Sends requests through the pool: retries connection failures that happen before the answer began, and
 * turns every failure into a typed error.
 */
export class Transport {
  /** The pool, timing how long each `request()` waits for a connection when the pool reports metrics. */
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: TransportOptions) {
    this.dispatcher = options.monitor.metrics ? timePoolWait(options.pool, options.monitor) : options.pool;
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
          signal: call.signal,
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
        const handler = new LineResponseHandler(call.signal, monitor.metrics ? monitor : undefined);
        pool.dispatch({ path: `${host.basePath}${path}`, method: 'POST', headers, body }, handler);
        return handler.response;
      },
      tracing,
    );
    if (response.lines !== undefined) return { statusCode: response.statusCode, lines: response.lines };
    if (response.bodyFailure !== undefined) throw this.answerFailure(response.bodyFailure, call);
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
        const mapped = this.requestFailure(error, call);
        if (mapped instanceof ConnectionError && isNeverSent(error) && attempt < retries) {
          const delayMs = retryDelayMs * 2 ** attempt;
          // The socket's code (ECONNREFUSED, ENOTFOUND) says more than the call's connection_failed.
          tracing?.retried(attempt + 1, spanErrorType(error), delayMs);
          await delay(delayMs, call.signal);
          const reason = call.reason;
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
      throw this.answerFailure(error, call);
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
      throw this.answerFailure(error, call);
    }
  }

  /**
   * The call's typed error for what undici or a socket threw before the answer began (sending, or waiting
   * for the headers). A connection that broke under the request (reset, closed by the other side) is a reset:
   * Ollama may have the request. Only a connection that could not carry it (refused, unresolvable, timed out
   * connecting) failed.
   */
  requestFailure(error: unknown, call: Call): unknown {
    return this.typed(error, call, (cause, code, message, broken) =>
      broken
        ? new ConnectionError(
            OllamaErrorCode.CONNECTION_RESET,
            `The connection to Ollama broke before its answer began (it may have the request): ${message} (${code})`,
            { cause },
          )
        : new ConnectionError(
            OllamaErrorCode.CONNECTION_FAILED,
            `The connection to Ollama at ${this.options.host.origin} failed before an answer came: ${message} (${code})`,
            { cause },
          ),
    );
  }

  /**
   * The call's typed error for what undici or a socket threw once the answer had begun (reading a body or a
   * stream): every broken connection is a reset then.
   */
  answerFailure(error: unknown, call: Call): unknown {
    return this.typed(
      error,
      call,
      (cause, code, message) =>
        new ConnectionError(
          OllamaErrorCode.CONNECTION_RESET,
          `The connection to Ollama broke mid-answer: ${message} (${code})`,
          { cause },
        ),
    );
  }

  /**
   * The call's abort reason, an error that is typed already, a `TimeoutError` for undici's timeouts, or for a
   * connection failure the `ConnectionError` that `connectionError` makes of it (`broken`: a connection that
   * was open broke); anything else as it is.
   */
  private typed(
    error: unknown,
    call: Call,
    connectionError: (cause: unknown, code: string, message: string, broken: boolean) => ConnectionError,
  ): unknown {
    const reason = call.reason;
    if (reason !== undefined) return reason;
    if (error instanceof OllamaError) return error;
    if (isUndiciTimeout(error)) {
      return new TimeoutError(`Ollama did not answer in time (${errorCode(error)})`, { cause: error });
    }
    if (!isConnectionFailure(error)) return error;
    const code = errorCode(error) ?? '';
    const broken = BROKEN_CONNECTION_CODES.has(code);
    // A connection that failed to open was counted by the pool's event; one that broke is counted here.
    if (broken) this.options.monitor.countConnectionError(error);
    else this.options.monitor.rememberConnectionError(error);
    const message = error instanceof Error ? error.message : String(error);
    return connectionError(error, code, message, broken);
  }

  /** The `ResponseError` of a status ≥ 400, once its body was read. */
  private async statusError(response: OkResponse, call: Call): Promise<unknown> {
    let text = '';
    try {
      text = await response.body.text();
    } catch (error) {
      return this.answerFailure(error, call);
    }
    return errorFromBody(response.statusCode, text);
  }
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
