import type { ServerResponse } from 'node:http';
import type { HttpError } from './http-error.js';

/** Sends a JSON text with its status and extra headers (nothing, if the response already started). */
export function sendJson(
  response: ServerResponse,
  status: number,
  json: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  response.end(json);
}

/** Sends an error as `{"error": {"code", "message"}}` with its status and headers. */
export function sendError(response: ServerResponse, error: HttpError): void {
  sendJson(response, error.status, JSON.stringify(error), error.headers);
}
