/** Milliseconds a model stays loaded when a request says nothing: Ollama's default `keep_alive` of 5m. */
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60 * 1000;

/**
 * "Forever", as Ollama means a negative `keep_alive`: Go's largest `time.Duration` (about 292 years), in
 * milliseconds. Its `expires_at` lands in the 2300s, as a real server's does.
 */
export const KEEP_ALIVE_FOREVER_MS = 9_223_372_036_854;

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration string (`"300ms"`, `"1.5h"`, `"2h45m"`, `"0"`) into milliseconds, as Go's
 * `time.ParseDuration` does, or returns `undefined` when Go would reject it.
 */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)(.*)$/.exec(text)!;
  const [, sign, rest] = match as unknown as [string, string, string];
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let index = 0;
  while (index < rest.length) {
    part.lastIndex = index;
    const found = part.exec(rest);
    if (found === null) return undefined;
    const unit = found[2] as string;
    total += Number(found[1]) * UNIT_MS[unit]!;
    index = part.lastIndex;
  }
  return sign === '-' ? -total : total;
}

/**
 * Reads a request's `keep_alive` into milliseconds the way Ollama's `api.Duration` does: a number is
 * whole seconds, a string is a Go duration, a negative value means forever, and a missing one is the 5 minute
 * default. Returns an error message (Go's own wording) for anything else.
 */
export function parseKeepAlive(value: unknown): { ms: number } | { error: string } {
  if (value === undefined || value === null) return { ms: DEFAULT_KEEP_ALIVE_MS };
  // Go truncates a number to whole seconds (`int(t) * int(time.Second)`).
  if (typeof value === 'number') return { ms: value < 0 ? KEEP_ALIVE_FOREVER_MS : Math.trunc(value) * 1000 };
  if (typeof value === 'string') {
    const ms = parseGoDuration(value);
    if (ms === undefined) return { error: `time: invalid duration ${JSON.stringify(value)}` };
    return { ms: ms < 0 ? KEEP_ALIVE_FOREVER_MS : ms };
  }
  // Go names the decoded value's type with reflect.TypeOf.
  const goType =
    typeof value === 'boolean' ? 'bool' : Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
  return { error: `Unsupported type: '${goType}'` };
}
