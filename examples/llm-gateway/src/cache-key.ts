import { createHash } from 'node:crypto';
import { HttpError } from './http-error.js';
import { MAX_BODY_DEPTH } from './request-body.js';
import type { GatewayRequest } from './requests.js';

/**
 * The model name as Ollama resolves it: `llama3.2` and `llama3.2:latest` are one model, so they must be one
 * cache entry. A tag is what follows `:` in the last path segment (`host:port/ns/model:tag`).
 */
export function normalizeModel(model: string): string {
  const name = model.trim();
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

/**
 * JSON with object keys sorted at every level, so `{a, b}` and `{b, a}` give the same text.
 *
 * @throws HttpError 400 `body_too_deep` past {@link MAX_BODY_DEPTH} levels. Bodies read by the router were
 *   checked already; this keeps the recursion bounded for requests built in code (warm-up lists).
 */
export function canonicalJson(value: unknown, depth = 1): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (depth > MAX_BODY_DEPTH) {
    throw new HttpError(
      400,
      'body_too_deep',
      `a request must not be nested deeper than ${MAX_BODY_DEPTH} levels`,
    );
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, depth + 1)).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item, depth + 1)}`).join(',')}}`;
}

/**
 * The cache key of a request: its kind and a SHA-256 of the normalized request (model resolved, keys
 * sorted). Prompts never appear in keys in clear: they can be long, and they can be private.
 *
 * @example
 * cacheKey({ kind: 'generate', body: { model: 'llama3.2', prompt: 'Why is the sky blue?' } })
 * // 'generate:3f1c…' (64 hex digits)
 */
export function cacheKey(request: GatewayRequest): string {
  const normalized = { ...request.body, model: normalizeModel(request.body.model) };
  const digest = createHash('sha256').update(canonicalJson(normalized)).digest('hex');
  return `${request.kind}:${digest}`;
}
