import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** The largest request body the gateway reads by default: 1 MiB holds a long conversation. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(limit: number): HttpError {
  // `connection: close`: the rest of the body is not read, so the connection cannot carry another request.
  return new HttpError(413, 'body_too_large', `the request body must be at most ${limit} bytes`, {
    connection: 'close',
  });
}

/**
 * Reads a request body and parses it as JSON.
 *
 * @throws HttpError 413 `body_too_large` past `limit` bytes (announced or read), 400 `invalid_json`, or
 *   400 `body_incomplete` when the client went away before sending all of it.
 */
export async function readJsonBody(
  request: IncomingMessage,
  limit = DEFAULT_MAX_BODY_BYTES,
): Promise<unknown> {
  if (Number(request.headers['content-length'] ?? 0) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away mid-body: nobody is left to answer, but it is not the gateway's bug either.
    throw new HttpError(400, 'body_incomplete', 'the request body was cut off');
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = text.trim() === '' ? 'the body is empty' : (error as Error).message;
    throw new HttpError(400, 'invalid_json', `the body must be JSON: ${reason}`);
  }
}
