import type { IncomingMessage } from 'node:http';

/** The largest request body read (images travel base64 in the body, so it is generous). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Reads a request body as UTF-8, or `'too-large'` once it passes `limit` bytes. */
export async function readBody(
  request: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<string | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * How deep a request body may nest. Go's decoder stops at 10,000 (`invalid character '[' exceeded max
 * depth`); the fake stops at 1,000 with the same words, because Node's own recursion (JSON.stringify of
 * a tool list, say) overflows the stack a few thousand levels down. No real request comes near either.
 */
export const MAX_BODY_DEPTH = 1000;

/** A Go type a request field is decoded into, for type checks with Go's error wording. */
export type GoType = 'string' | 'bool' | 'number' | 'array' | 'object' | 'any';

const GO_TYPE_NAME: Record<Exclude<GoType, 'any'>, string> = {
  string: 'string',
  bool: 'bool',
  number: 'int',
  array: '[]api.Message',
  object: 'map[string]interface {}',
};

/** The JSON type of a decoded value, in the words Go's decoder uses ("number", "array"…). */
function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

/**
 * Parses a request body the way Gin's `ShouldBindJSON` sees it, with Ollama's answers for the usual
 * mistakes: an empty body is "missing request body", broken JSON a decoder error, a non-object body
 * "cannot unmarshal", and a field of the wrong type Go's "cannot unmarshal X into Go struct field" (the
 * fields in `schema` are checked; `null` is allowed, as Go takes it for the zero value).
 */
export function parseRequest(
  text: string,
  goStruct: string,
  schema: Readonly<Record<string, GoType>>,
): { body: Record<string, unknown> } | { error: string } {
  if (text.trim() === '') return { error: 'missing request body' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: decodeError(text, error as Error) };
  }
  const deep = tooDeep(text, MAX_BODY_DEPTH);
  if (deep !== undefined) return { error: `invalid character '${deep}' exceeded max depth` };
  if (value === null) return { body: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { error: `json: cannot unmarshal ${jsonType(value)} into Go value of type api.${goStruct}` };
  }
  const body = value as Record<string, unknown>;
  for (const [field, type] of Object.entries(schema)) {
    const fieldValue = body[field];
    if (fieldValue === undefined || fieldValue === null || type === 'any') continue;
    const actual = jsonType(fieldValue);
    if (actual !== type) {
      return {
        error: `json: cannot unmarshal ${actual} into Go struct field ${goStruct}.${field} of type ${GO_TYPE_NAME[type]}`,
      };
    }
  }
  return { body };
}

/**
 * The bracket of valid JSON `text` that opens level `max + 1`, or `undefined` when it nests no deeper than
 * `max`. Strings are skipped with `indexOf`, so a body of base64 images is scanned quickly.
 */
function tooDeep(text: string, max: number): string | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // The closing quote: the next one not escaped by an odd run of backslashes.
      let end = text.indexOf('"', i + 1);
      for (;;) {
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return text[i];
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

/** Go's wording for broken JSON: a truncated body is "unexpected EOF", anything else an invalid character. */
function decodeError(text: string, error: Error): string {
  if (/end of (JSON )?input/i.test(error.message)) return 'unexpected EOF';
  const first = text.trimStart()[0]!;
  if (!/[{["\-0-9tfn]/.test(first)) return `invalid character '${first}' looking for beginning of value`;
  return `invalid JSON: ${error.message}`;
}

/** A string field, or `''` (Go's zero value) when it is missing or null. */
export function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  return typeof value === 'string' ? value : '';
}
