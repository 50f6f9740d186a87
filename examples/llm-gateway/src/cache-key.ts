import { createHash } from 'node:crypto';
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

/** JSON with object keys sorted at every level, so `{a, b}` and `{b, a}` give the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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
