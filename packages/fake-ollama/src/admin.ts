import type { RequestContext } from './context.js';
import { FakeOllamaConfigError } from './errors.js';
import type { FaultConfig } from './faults.js';
import { sendEmpty, sendError, sendJson } from './responses.js';
import { snapshotStats } from './stats.js';

/** Where the admin endpoints live; a real Ollama answers 404 there. */
export const ADMIN_PREFIX = '/_fake';

/** `GET /_fake/faults`: the faults in force, `{"faults": null}` when there are none. */
export function handleGetFaults(context: RequestContext): void {
  sendJson(context.response, 200, { faults: context.state.faults.current ?? null });
}

/** `PUT /_fake/faults`: replaces the faults with the body (a `FaultConfig`); 204, or 400 saying why not. */
export function handlePutFaults(context: RequestContext): void {
  try {
    context.state.faults.set(JSON.parse(context.body || 'null') as FaultConfig);
  } catch (error) {
    const message =
      error instanceof FakeOllamaConfigError ? error.message : `invalid JSON: ${(error as Error).message}`;
    sendError(context.response, 400, message);
    return;
  }
  sendEmpty(context.response, 204);
}

/** `DELETE /_fake/faults`: removes every fault; 204. */
export function handleClearFaults(context: RequestContext): void {
  context.state.faults.clear();
  sendEmpty(context.response, 204);
}

/** `GET /_fake/stats`: the same numbers as `server.stats`. */
export function handleGetStats(context: RequestContext): void {
  sendJson(context.response, 200, snapshotStats(context.state.stats, context.state.scheduler));
}

/** `DELETE /_fake/stats`: zeroes the counts, as `server.resetStats()`; 204. */
export function handleResetStats(context: RequestContext): void {
  context.state.stats.reset();
  context.state.scheduler.resetMaxRunning();
  sendEmpty(context.response, 204);
}
