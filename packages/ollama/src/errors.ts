import { brandErrorClass } from '@sightglass/core/internal';

/**
 * Stable codes of the errors this client throws. A code never changes meaning once released; match on
 * `error.code`, not on messages.
 */
export const OllamaErrorCode = Object.freeze({
  /** The server answered with an HTTP error status (404 model not found, 503 busy, 500 …). */
  HTTP_STATUS: 'ERR_SIGHTGLASS_OLLAMA_HTTP_STATUS',
  /** The server sent an `{"error": …}` line in a stream it had started with HTTP 200. */
  STREAM_ERROR: 'ERR_SIGHTGLASS_OLLAMA_STREAM_ERROR',
  /** A line of a stream, or a whole answer, is not the JSON it should be. */
  MALFORMED_RESPONSE: 'ERR_SIGHTGLASS_OLLAMA_MALFORMED_RESPONSE',
  /** A stream ended without its final `done` (or `success`) line. */
  INCOMPLETE_STREAM: 'ERR_SIGHTGLASS_OLLAMA_INCOMPLETE_STREAM',
  /**
   * No connection could carry the request: refused, unresolvable, unreachable, timed out while connecting
   * (after any retries). Ollama never got the request.
   */
  CONNECTION_FAILED: 'ERR_SIGHTGLASS_OLLAMA_CONNECTION_FAILED',
  /**
   * A connection that carried the request broke (reset, closed by the other side): before the answer
   * began or after (mid-stream, mid-body). Ollama may have received it and be generating; never retried.
   */
  CONNECTION_RESET: 'ERR_SIGHTGLASS_OLLAMA_CONNECTION_RESET',
  /**
   * The call's `timeoutMs`, the pool's headers/body timeout, or the deadline of whoever aborted the call's
   * `signal` with a timeout as its reason (`AbortSignal.timeout()`, a `TimeoutError`) ran out.
   */
  TIMEOUT: 'ERR_SIGHTGLASS_OLLAMA_TIMEOUT',
  /** The call was aborted: its `signal`, the stream's `abort()` or the client's `abort()`/`close()`. */
  ABORTED: 'ERR_SIGHTGLASS_OLLAMA_ABORTED',
  /**
   * The request cannot be sent as it is, and nothing was sent: it is not an object, a field has the wrong
   * type, or JSON cannot hold it (nested deeper than `MAX_REQUEST_DEPTH`, circular, a `BigInt`, too large).
   */
  INVALID_REQUEST: 'ERR_SIGHTGLASS_OLLAMA_INVALID_REQUEST',
} as const);

/** One of the stable codes in {@link OllamaErrorCode}. */
export type OllamaErrorCode = (typeof OllamaErrorCode)[keyof typeof OllamaErrorCode];

/** The base of every error a call throws (a policy's own rejections excepted). Match on `code`. */
export class OllamaError extends Error {
  override name = 'OllamaError';

  constructor(
    /** A stable code from {@link OllamaErrorCode}. */
    readonly code: OllamaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An error the server reported, with its own message: the same shape as the `ollama` package's
 * `ResponseError` (`error`, `status_code`), so code written for it keeps working. `code` says whether it
 * came as an HTTP status (`status_code` ≥ 400) or as an `{"error"}` line inside a stream (`status_code` is
 * then the stream's 200).
 */
export class ResponseError extends OllamaError {
  override name = 'ResponseError';

  constructor(
    /** The server's message (`{"error": …}`), or the body or status text when it sent no JSON. */
    readonly error: string,
    /** The HTTP status of the answer. */
    readonly status_code: number,
    code: OllamaErrorCode = OllamaErrorCode.HTTP_STATUS,
  ) {
    super(code, error);
  }
}

/** A stream line or answer body that is not valid JSON. `line` holds the start of the offending text. */
export class MalformedResponseError extends OllamaError {
  override name = 'MalformedResponseError';

  constructor(
    /** The start of the text that failed to parse (at most 200 characters). */
    readonly line: string,
    options?: { cause?: unknown },
  ) {
    super(OllamaErrorCode.MALFORMED_RESPONSE, `Ollama sent malformed JSON: ${JSON.stringify(line)}`, options);
  }
}

/** The call's time ran out. `name` is `TimeoutError`, as for `AbortSignal.timeout()`. */
export class TimeoutError extends OllamaError {
  override name = 'TimeoutError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(OllamaErrorCode.TIMEOUT, message, options);
  }
}

/** The call was aborted. `name` is `AbortError`, as fetch's, so `error.name === 'AbortError'` checks work. */
export class AbortError extends OllamaError {
  override name = 'AbortError';

  constructor(message = 'The Ollama call was aborted', options?: { cause?: unknown }) {
    super(OllamaErrorCode.ABORTED, message, options);
  }
}

/**
 * A request the client refused before sending anything ({@link OllamaErrorCode.INVALID_REQUEST}). `path`
 * says where in the request the problem is (`format.properties.a`, `messages[2]`; empty for the whole).
 */
export class InvalidRequestError extends OllamaError {
  override name = 'InvalidRequestError';

  constructor(
    message: string,
    /** Where in the request the offending value is, as `a.b[3]` (at most 200 characters). */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(OllamaErrorCode.INVALID_REQUEST, message, options);
  }
}

/** A connection failure: {@link OllamaErrorCode.CONNECTION_FAILED} or {@link OllamaErrorCode.CONNECTION_RESET}. */
export class ConnectionError extends OllamaError {
  override name = 'ConnectionError';
}

// `instanceof` holds across two installed copies of this package: each class has a brand of its own.
brandErrorClass(OllamaError, 'sightglass.ollama.OllamaError');
brandErrorClass(ResponseError, 'sightglass.ollama.ResponseError');
brandErrorClass(MalformedResponseError, 'sightglass.ollama.MalformedResponseError');
brandErrorClass(TimeoutError, 'sightglass.ollama.TimeoutError');
brandErrorClass(AbortError, 'sightglass.ollama.AbortError');
brandErrorClass(InvalidRequestError, 'sightglass.ollama.InvalidRequestError');
brandErrorClass(ConnectionError, 'sightglass.ollama.ConnectionError');

/** Low-level codes (Node and undici) of a connection that failed to open or broke. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * Codes of a connection that never carried the request: refused, unresolvable, unreachable, or timed out
 * while connecting. Only these are retried: after a reset or a broken socket the server may have received
 * the request and be generating (minutes of model time), or have pulled, copied or deleted a model.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Whether a failure happened before the request could have reached the server (safe to retry). */
export function isNeverSent(error: unknown): boolean {
  const code = errorCode(error) ?? errorCode((error as { cause?: unknown } | null | undefined)?.cause);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/** The `code` of an error, if it has a string one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether an error from undici or the socket means the connection failed or broke. */
export function isConnectionFailure(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && CONNECTION_CODES.has(code);
}

/** Whether an error is one of undici's own timeouts (headers, body, connect are distinct from `timeoutMs`). */
export function isUndiciTimeout(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/** The prefix every {@link OllamaErrorCode} shares; `error.type` is the rest, in lower case. */
const CODE_PREFIX = 'ERR_SIGHTGLASS_OLLAMA_';

/** Whether `reason` (an abort signal's, an error) says a deadline passed: a `TimeoutError` of any origin. */
export function isTimeoutReason(reason: unknown): boolean {
  return (
    reason instanceof TimeoutError ||
    (reason as { name?: unknown } | null | undefined)?.name === 'TimeoutError'
  );
}

/**
 * The `error.type` a failed call is reported under, a short identifier that never holds a message:
 *
 * | failure | `error.type` |
 * |---|---|
 * | HTTP status ≥ 400 | the status: `404`, `503` … |
 * | `timeoutMs`, undici's timeouts, a signal aborted with a `TimeoutError` (a policy's timeout, through `executeWithSignal`) | `timeout` |
 * | aborted (signal, `abort()`, `close()`) | `aborted` |
 * | no connection could carry the request / one that did broke | `connection_failed` / `connection_reset` |
 * | an `{"error"}` line mid-stream, bad JSON, a stream without its end | `stream_error`, `malformed_response`, `incomplete_stream` |
 * | anything else | its name or class, else `_OTHER` |
 */
export function errorType(error: unknown): string {
  if (error instanceof ResponseError && error.code === OllamaErrorCode.HTTP_STATUS) {
    return String(error.status_code);
  }
  if (error instanceof OllamaError) return error.code.slice(CODE_PREFIX.length).toLowerCase();
  if (typeof error !== 'object' || error === null) return '_OTHER';
  if (isTimeoutReason(error)) return 'timeout';
  const { name } = error as { name?: unknown };
  if (typeof name === 'string' && name !== 'Error' && name !== '') return name;
  // cockatiel's errors keep `name` as `Error`: their class says what they are (BrokenCircuitError, …).
  const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof className === 'string' && !['', 'Error', 'Object'].includes(className) ? className : '_OTHER';
}
