import { InvalidRequestError } from './errors.js';

/**
 * The deepest nesting a request body may have, the request object itself being level 1. Real requests are a
 * few levels deep (a chat message is 3, a `format` JSON schema a few dozen at most). Far below where
 * `JSON.stringify` overflows the stack (about 5,000 levels from an empty stack on Node.js 20, fewer from a
 * deep caller) and below what Ollama's own parsers take (Go's `encoding/json` stops at 10,000; the schema of
 * `format` is also turned into a grammar recursively).
 */
export const MAX_REQUEST_DEPTH = 256;

/** How many characters of a path an error quotes. */
const PATH_LENGTH = 200;

type Container = Record<string, unknown> | unknown[];

interface Frame {
  readonly value: Container;
  /** The object's keys; undefined for an array (its indexes are walked). */
  readonly keys: string[] | undefined;
  next: number;
}

/** `a.b[3]`: where the value the top frame is looking at sits. */
function pathOf(stack: readonly Frame[]): string {
  let path = '';
  for (const frame of stack) {
    if (path.length > PATH_LENGTH) break;
    const index = frame.next - 1;
    if (index < 0) continue;
    path += frame.keys === undefined ? `[${index}]` : `${path === '' ? '' : '.'}${frame.keys[index]}`;
  }
  return path.slice(0, PATH_LENGTH);
}

/**
 * Walks a request body without recursion and refuses what JSON cannot hold or what is nested deeper than
 * {@link MAX_REQUEST_DEPTH}: a body `JSON.stringify` would overflow the stack on, loop on, or throw on
 * halfway through. An object with `toJSON` (a `Date`, a `Buffer`) is left to `JSON.stringify`.
 */
function checkSerializable(body: object): void {
  const stack: Frame[] = [];
  const ancestors = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value === 'bigint') {
      throw new InvalidRequestError(
        `a BigInt at ${pathOf(stack) || 'the top'} cannot be sent as JSON`,
        pathOf(stack),
      );
    }
    if (typeof value !== 'object' || value === null) return;
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return;
    if (ancestors.has(value)) {
      const path = pathOf(stack);
      throw new InvalidRequestError(`the request is circular: ${path} holds one of its parents`, path);
    }
    if (stack.length >= MAX_REQUEST_DEPTH) {
      const path = pathOf(stack);
      throw new InvalidRequestError(
        `the request is nested deeper than ${MAX_REQUEST_DEPTH} levels (at ${path.slice(0, 60)}…)`,
        path,
      );
    }
    ancestors.add(value);
    stack.push({
      value: value as Container,
      keys: Array.isArray(value) ? undefined : Object.keys(value),
      next: 0,
    });
  };
  visit(body);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const length = frame.keys === undefined ? (frame.value as unknown[]).length : frame.keys.length;
    if (frame.next >= length) {
      ancestors.delete(frame.value);
      stack.pop();
      continue;
    }
    const key = frame.keys === undefined ? frame.next : frame.keys[frame.next]!;
    frame.next++;
    visit((frame.value as Record<string | number, unknown>)[key]);
  }
}

/**
 * The JSON text of a request body, or an {@link InvalidRequestError} (`ERR_SIGHTGLASS_OLLAMA_INVALID_REQUEST`)
 * before anything is sent: nested deeper than {@link MAX_REQUEST_DEPTH}, circular, a `BigInt`, a `toJSON`
 * that throws, or a text longer than a JavaScript string can be.
 */
export function requestJson(body: object): string {
  checkSerializable(body);
  try {
    return JSON.stringify(body);
  } catch (error) {
    throw new InvalidRequestError(
      `the request cannot be sent as JSON: ${(error as Error)?.message ?? String(error)}`,
      '',
      { cause: error },
    );
  }
}

function fieldError(field: string, expected: string, value: unknown): InvalidRequestError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return new InvalidRequestError(`${field} must be ${expected}, got ${got}`, field);
}

/**
 * Checks the fields the client itself reads before it sends a request (the rest is the server's to judge,
 * as with the `ollama` package): the request is an object; `model` and `stream`, when given, are a string
 * and a boolean; `messages` is a list of objects; `images` lists of strings or bytes.
 *
 * @throws InvalidRequestError `ERR_SIGHTGLASS_OLLAMA_INVALID_REQUEST`, naming the field.
 */
export function checkRequest(request: unknown, method: string): void {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw fieldError(`the request of ${method}()`, 'an object', request);
  }
  const fields = request as Record<string, unknown>;
  if (fields.model !== undefined && typeof fields.model !== 'string') {
    throw fieldError('model', 'a string', fields.model);
  }
  if (fields.stream !== undefined && typeof fields.stream !== 'boolean') {
    throw fieldError('stream', 'true or false', fields.stream);
  }
  checkImages(fields.images, 'images');
  if (fields.messages !== undefined) {
    if (!Array.isArray(fields.messages)) throw fieldError('messages', 'a list', fields.messages);
    fields.messages.forEach((message: unknown, index) => {
      const where = `messages[${index}]`;
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        throw fieldError(where, 'an object', message);
      }
      checkImages((message as { images?: unknown }).images, `${where}.images`);
    });
  }
}

function checkImages(images: unknown, field: string): void {
  if (images === undefined) return;
  if (!Array.isArray(images)) throw fieldError(field, 'a list of strings or bytes', images);
  images.forEach((image: unknown, index) => {
    if (typeof image !== 'string' && !(image instanceof Uint8Array)) {
      throw fieldError(`${field}[${index}]`, 'a string (base64 or a file path) or bytes', image);
    }
  });
}
