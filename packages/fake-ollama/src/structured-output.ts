import { mulberry32 } from './prng.js';
import { schemaValue } from './schema-value.js';
import { jsonAnswerTokens, streamTokens } from './text.js';

/** What a request's `format` asks for: free text, any JSON (`"json"`), or JSON that fits a schema. */
export type Format =
  | { readonly kind: 'text' }
  | { readonly kind: 'json' }
  | { readonly kind: 'schema'; readonly schema: Record<string, unknown> };

/**
 * Reads `format` as Ollama's runner does (llm/llama_server.go on main, llm/server.go in 0.12): missing,
 * `null` and `""` mean no format, `"json"` any JSON object, an object a JSON schema. Anything else gets
 * Ollama's own words, `invalid format: "\"xml\""; expected "json" or a valid JSON Schema object` (Go's %q
 * of the raw JSON).
 */
export function readFormat(value: unknown): Format | { error: string } {
  if (value === undefined || value === null || value === '') return { kind: 'text' };
  if (value === 'json') return { kind: 'json' };
  if (typeof value === 'object' && !Array.isArray(value)) {
    return { kind: 'schema', schema: value as Record<string, unknown> };
  }
  const raw = JSON.stringify(value);
  return { error: `invalid format: ${JSON.stringify(raw)}; expected "json" or a valid JSON Schema object` };
}

/** Ollama's words for a schema its grammar builder rejects (llm/server.go in 0.12). */
export const INVALID_SCHEMA = 'invalid JSON schema in format';

/**
 * The tokens of an answer in `format`: for `"json"` the fake's one-field object (`{"answer": "…"}`,
 * `count` tokens), for a schema a value that validates against it, compact JSON streamed in pieces.
 * Throws a `SchemaError` for a schema no value can be made for.
 */
export function formatTokens(
  format: Format & { kind: 'json' | 'schema' },
  seed: number,
  count: number,
): string[] {
  if (format.kind === 'json') return jsonAnswerTokens(seed, count);
  return streamTokens(JSON.stringify(schemaValue(format.schema, mulberry32(seed))));
}
