import type { RequestContext } from './context.js';
import { SERVER_BUSY_MESSAGE } from './faults.js';
import type { ResolvedModel } from './options.js';
import { sendError } from './responses.js';
import { sleep, untilAborted } from './sleep.js';

/** A model slot held by a request, and when the model was ready (the end of `load_duration`). */
export interface ModelRun {
  readonly loadedNs: bigint;
  /** Gives the slot back and keeps the model loaded for the request's `keep_alive` (0 unloads it). */
  finish(): void;
}

/**
 * Does what Ollama's `scheduleRunner` does for a request: waits for a slot (or answers 503 "server busy"
 * when the queue is full), then loads the model if it is not loaded, taking `loadDurationMs`. Concurrent
 * requests share one load. Returns `undefined` when the request was answered or abandoned meanwhile.
 */
export async function runModel(
  context: RequestContext,
  model: ResolvedModel,
  keepAliveMs: number,
): Promise<ModelRun | undefined> {
  const { state, signal } = context;
  const slot = await state.scheduler.acquire(signal);
  if (slot === 'aborted') return undefined;
  if (slot === 'busy') {
    state.stats.rejected++;
    sendError(context.response, 503, SERVER_BUSY_MESSAGE);
    return undefined;
  }
  if (!state.registry.isLoaded(model) && state.options.loadDurationMs > 0) {
    let load = state.loads.get(model.key);
    if (load === undefined) {
      // The load belongs to the server, not to the request that started it: a client that leaves does
      // not cancel it (the next request finds the model loaded), only close() does.
      load = sleep(state.options.loadDurationMs, state.closing).finally(() => state.loads.delete(model.key));
      state.loads.set(model.key, load);
    }
    await Promise.race([load, untilAborted(signal)]);
    if (signal.aborted) {
      slot();
      return undefined;
    }
  }
  // Loaded for as long as the request runs, whatever its keep_alive; the keep_alive counts from the end.
  state.registry.use(model, keepAliveMs);
  const loadedNs = process.hrtime.bigint();
  let finished = false;
  return {
    loadedNs,
    finish: () => {
      if (finished) return;
      finished = true;
      state.registry.release(model, keepAliveMs);
      slot();
    },
  };
}
