/** A response as the tests look at it. */
export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
  /** Time to the whole response, in ms. */
  ms: number;
}

async function read(response: Response, started: number): Promise<TestResponse> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json, ms: performance.now() - started };
}

/** POSTs `body` (JSON-encoded unless it is a string) to `base + path`. */
export async function post(base: string, path: string, body: unknown): Promise<TestResponse> {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return read(response, started);
}

/** Sends a request without a body (GET by default). */
export async function get(base: string, path: string, method = 'GET'): Promise<TestResponse> {
  const started = performance.now();
  return read(await fetch(`${base}${path}`, { method }), started);
}

/** A one-message chat request. */
export function chat(
  content: string,
  model = 'llama3.2',
): { model: string; messages: Array<{ role: string; content: string }> } {
  return { model, messages: [{ role: 'user', content }] };
}
