import type { Think } from '@sightglass/ollama';
import { invalidRequest } from './http-error.js';

/** A JSON object, as parsed from a request body. */
export type Fields = Record<string, unknown>;

export function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key for a message: cut short, so an error never echoes a long (or private) text. */
export function quoted(key: string): string {
  return `"${key.slice(0, 50)}"`;
}

/**
 * Refuses keys of `object` outside `allowed`: a field the gateway did not know would not be checked, and a
 * misspelt one would be sent on to Ollama, which ignores it silently.
 */
export function checkKeys(object: Fields, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw invalidRequest(`${where} has an unknown field ${quoted(key)}; it takes ${allowed.join(', ')}`);
    }
  }
}

/** `format`: `"json"` or a JSON schema object, as Ollama takes it. */
export function optionalFormat(body: Fields): string | object | undefined {
  const format = body.format;
  if (format === undefined || format === 'json' || isObject(format)) return format;
  throw invalidRequest('format must be "json" or a JSON schema object');
}

const THINK_LEVELS: readonly unknown[] = [true, false, 'low', 'medium', 'high', 'max'];

/** `think`: whether (and how hard) a thinking model thinks, as Ollama takes it. */
export function optionalThink(body: Fields): Think | undefined {
  const think = body.think;
  if (think === undefined || THINK_LEVELS.includes(think)) return think as Think | undefined;
  throw invalidRequest('think must be true, false, "low", "medium", "high" or "max"');
}

/** Bounds on the images of one message (or one generation). */
export const MAX_IMAGES = 16;

// Standard base64 with its padding, as Ollama's JSON decoder reads `[]byte`: no line breaks, no data URL.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `images`: a list of base64 strings (what Ollama's API takes), for a vision model. Base64 only: no bytes
 * (JSON has none), no data URLs, and never a file path, which the client would read from the gateway's disk
 * (see `imagesAsBytes`). The body limit bounds their size.
 */
export function optionalImages(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidRequest(`${where} must be a list of base64 strings`);
  if (value.length > MAX_IMAGES) throw invalidRequest(`${where} may hold at most ${MAX_IMAGES} images`);
  value.forEach((image: unknown, index) => {
    const valid = typeof image === 'string' && image !== '' && image.length % 4 === 0 && BASE64.test(image);
    if (!valid) {
      throw invalidRequest(
        `${where}[${index}] must be an image as base64 text (standard alphabet, padded; no data: URL)`,
      );
    }
  });
  return value as string[];
}
