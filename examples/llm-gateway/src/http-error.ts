/**
 * An error the gateway answers with: an HTTP status, a stable machine-readable `code` and a message for
 * people. Every error response has the same body, `{"error": {"code", "message"}}`.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Headers sent with the error, e.g. `retry-after` or `allow`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The JSON body of the error response. */
  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** A request body that is not what the route expects: 400 with a message naming the field. */
export function invalidRequest(message: string): HttpError {
  return new HttpError(400, 'invalid_request', message);
}
