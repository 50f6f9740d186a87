import { SIGHTGLASS_VERSION } from '@sightglass/core';

/** The headers the `ollama` package always sends; the caller's own headers cannot replace them. */
const DEFAULT_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  accept: 'application/json',
  'user-agent': `sightglass-ollama/${SIGHTGLASS_VERSION} (${process.arch} ${process.platform} Node.js/${process.version})`,
};

/** Turns any `HeadersInit` (a `Headers`, pairs, a record) into a plain record with lower-case names. */
/**
 * Headers as the `ollama` package takes them (the DOM's `HeadersInit`): a `Headers`, name/value pairs or
 * a record.
 */
export type HeadersInit = Headers | Array<[string, string]> | Record<string, string | readonly string[]>;

function normalize(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined || headers === null) return out;
  // Duck-typed: a `Headers` from Node's fetch and one from the undici package are different classes.
  const entries: Iterable<readonly [unknown, unknown]> =
    Array.isArray(headers) || typeof (headers as Headers).entries !== 'function'
      ? Array.isArray(headers)
        ? headers
        : Object.entries(headers)
      : (headers as Headers).entries();
  for (const [name, value] of entries) {
    if (typeof name === 'string' && value !== undefined) {
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
  }
  return out;
}

/**
 * The headers of every request, built once: the defaults, then the caller's (as the `ollama` package does,
 * a caller's `Content-Type`, `Accept` or `User-Agent` is ignored), then Basic auth from the host URL unless
 * the caller set `Authorization`.
 */
export function buildHeaders(
  headers: HeadersInit | undefined,
  authorization: string | undefined,
): Record<string, string> {
  const custom = normalize(headers);
  const out: Record<string, string> = { ...DEFAULT_HEADERS };
  for (const [name, value] of Object.entries(custom)) if (!(name in DEFAULT_HEADERS)) out[name] = value;
  if (authorization !== undefined && out.authorization === undefined) out.authorization = authorization;
  return out;
}
