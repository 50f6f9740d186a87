/** A raw answer: status, content type, the body, and the body split into NDJSON lines. */
export interface RawAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  /** Non-empty lines, parsed when they are JSON, kept as text when not. */
  readonly lines: unknown[];
}

/** Sends a request with fetch (no client library in between) and reads the whole answer. */
export async function raw(
  url: string,
  path: string,
  body?: unknown,
  init: { method?: string; signal?: AbortSignal } = {},
): Promise<RawAnswer> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
  const text = await response.text();
  const lines = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return line;
      }
    });
  return { status: response.status, contentType: response.headers.get('content-type'), text, lines };
}

/** Options that make answers fast enough for tests: 8 tokens at 2000/s after 2 ms. */
export const FAST = { tokensPerSecond: 2000, ttftMs: 2, tokensPerAnswer: 8 } as const;

/** An answer's JSON line, read loosely: tests reach into fields of every shape. */
// biome-ignore lint/suspicious/noExplicitAny: lines of every shape, checked by the assertions themselves
export type Line = Record<string, any>;
