import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** The largest request body the gateway reads by default: 1 MiB holds a long conversation. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The deepest nesting a request body may have, the body itself being level 1. A chat message is 3 levels;
 * a `format` JSON schema takes two per level of its own (`properties`, then the property), so 64 holds a
 * schema some 30 levels deep, more than any real one. Checked on the bytes, before anything parses or walks
 * them: the cache key, `JSON.stringify` and Ollama's own schema handling all recurse, and a body a few
 * thousand levels deep overflowed the stack (a 500) before.
 */
export const MAX_BODY_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function tooLarge(limit: number): HttpError {
  // `connection: close`: the rest of the body is not read, so the connection cannot carry another request.
  return new HttpError(413, 'body_too_large', `the request body must be at most ${limit} bytes`, {
    connection: 'close',
  });
}

function tooDeep(): HttpError {
  return new HttpError(
    400,
    'body_too_deep',
    `the request body must not be nested deeper than ${MAX_BODY_DEPTH} levels of objects and lists`,
  );
}

function badEncoding(what: string): HttpError {
  return new HttpError(400, 'invalid_encoding', `the request body must be UTF-8 text: ${what}`);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = [0x5b, 0x7b]; // [ {
const CLOSE = [0x5d, 0x7d]; // ] }

/**
 * Throws `body_too_deep` when the JSON text in `bytes` opens more than {@link MAX_BODY_DEPTH} objects and
 * lists at once. One pass, no recursion, strings skipped with `indexOf` (a body is mostly prompt text). UTF-8
 * never puts these ASCII bytes inside a multi-byte character, so bytes are enough. Malformed JSON is left
 * to `JSON.parse`.
 */
function checkDepth(bytes: Uint8Array): void {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE) {
      // Find the closing quote: one preceded by an even number of backslashes.
      for (;;) {
        const end = bytes.indexOf(QUOTE, i + 1);
        if (end === -1) return; // unterminated: JSON.parse says so
        let backslashes = 0;
        while (bytes[end - 1 - backslashes] === BACKSLASH) backslashes++;
        i = end;
        if (backslashes % 2 === 0) break;
      }
    } else if (byte === OPEN[0] || byte === OPEN[1]) {
      if (++depth > MAX_BODY_DEPTH) throw tooDeep();
    } else if (byte === CLOSE[0] || byte === CLOSE[1]) {
      depth--;
    }
  }
}

/** A string with an unpaired surrogate (`"\ud800"` in the JSON) cannot be sent on as UTF-8. */
function wellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Refuses values that parse but cannot be passed on unchanged: a string (or key) with an unpaired surrogate
 * escape, which becomes U+FFFD on the way to Ollama, and a number beyond a double's range (`1e400` parses as
 * `Infinity`, which JSON would send on as `null`). Iterative; the depth is already bounded.
 */
function checkValues(root: unknown): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (!wellFormed(value)) throw badEncoding('a string has an unpaired surrogate (\\ud800-\\udfff)');
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        throw new HttpError(400, 'invalid_json', 'the body must be JSON: a number is out of range');
      }
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (!wellFormed(key)) throw badEncoding('a key has an unpaired surrogate (\\ud800-\\udfff)');
        pending.push(item);
      }
    }
  }
}

/**
 * Reads a request body and parses it as JSON.
 *
 * @throws HttpError 413 `body_too_large` past `limit` bytes (announced or read); 400 `body_incomplete` when
 *   the client went away before sending all of it; 400 `invalid_encoding` for bytes that are not UTF-8 or a
 *   string with an unpaired surrogate; 400 `body_too_deep` past {@link MAX_BODY_DEPTH} levels; 400
 *   `invalid_json` for anything else that is not JSON (or a number beyond a double's range).
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
  const bytes = Buffer.concat(chunks);
  let text: string;
  try {
    text = utf8.decode(bytes); // a leading byte-order mark is dropped
  } catch {
    throw badEncoding('it holds bytes that are not UTF-8');
  }
  checkDepth(bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    const reason = text.trim() === '' ? 'the body is empty' : (error as Error).message;
    throw new HttpError(400, 'invalid_json', `the body must be JSON: ${reason.slice(0, 200)}`);
  }
  checkValues(parsed);
  return parsed;
}
