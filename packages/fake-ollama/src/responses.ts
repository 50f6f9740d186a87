import type { ServerResponse } from 'node:http';

/** Gin's `c.JSON` content type: what Ollama sends for every single-object answer and error. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** What Ollama sends for a stream of JSON lines. */
export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';
/** Gin's `c.String` content type, for `GET /` and the router's 404/405. */
export const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** Sends one JSON value, as Gin does: no trailing newline, with a length. */
export function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  contentType: string = JSON_CONTENT_TYPE,
): void {
  send(response, status, contentType, JSON.stringify(value));
}

/** Sends Ollama's error shape, `{"error": message}`. */
export function sendError(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, { error: message });
}

/** Sends a plain-text body. */
export function sendText(response: ServerResponse, status: number, text: string): void {
  send(response, status, TEXT_CONTENT_TYPE, text);
}

/** Sends a status with an empty body and no content type, as Gin does when a handler writes nothing. */
export function sendEmpty(response: ServerResponse, status: number): void {
  // A 204 must not carry a Content-Length; a 200 says its body is empty.
  response.writeHead(status, status === 204 ? {} : { 'content-length': 0 });
  response.end();
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
