import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_PREFIX } from './admin.js';
import type { RequestContext, ServerState } from './context.js';
import { FakeOllamaConfigError, FakeOllamaErrorCode } from './errors.js';
import { type ChunkFaultPlan, FaultController } from './faults.js';
import { ModelRegistry } from './models.js';
import { type FakeOllamaOptions, resolveOptions } from './options.js';
import { readBody } from './request-body.js';
import { sendError, sendText } from './responses.js';
import { type RouteTable, routeTable } from './routes.js';
import { Scheduler } from './scheduler.js';
import { sleep } from './sleep.js';
import { type FakeOllamaStats, StatsCounters, snapshotStats } from './stats.js';

/** A running fake Ollama server. */
export interface FakeOllama {
  /** Where to point a client, e.g. `http://127.0.0.1:43117` (no trailing slash). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Inject and remove faults at run time; see `FaultConfig`. */
  readonly faults: FaultController;
  /** A snapshot of what the server has seen so far (read it again for fresh numbers). */
  readonly stats: FakeOllamaStats;
  /** Zeroes the counts in `stats` (the in-flight gauges stay). */
  resetStats(): void;
  /**
   * Stops the server: cancels every timer, ends open streams (their clients see the connection close),
   * and resolves once every connection is gone. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Starts a server that speaks Ollama's REST API closely enough that the official `ollama` client cannot
 * tell it from the real thing, with reproducible answers, realistic timing and injectable faults.
 * Rejects with a `FakeOllamaConfigError` for a bad option or when it cannot listen.
 *
 * ```ts
 * const server = await startFakeOllama({ tokensPerSecond: 1000, ttftMs: 5 });
 * const ollama = new Ollama({ host: server.url });
 * server.faults.set({ errorLineAfterChunks: 3 });
 * await server.close();
 * ```
 */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const resolved = resolveOptions(options);
  const faults = new FaultController(resolved.faults);
  const closing = new AbortController();
  const state: ServerState = {
    options: resolved,
    registry: new ModelRegistry(resolved.models),
    scheduler: new Scheduler(resolved.parallel, resolved.maxQueue),
    faults,
    stats: new StatsCounters(),
    closing: closing.signal,
    loads: new Map(),
  };
  const routes = routeTable(resolved.admin);
  const inFlight = new Set<AbortController>();
  const server = createServer((request, response) => {
    const controller = new AbortController();
    inFlight.add(controller);
    state.stats.begin();
    // 'close' comes when the answer is done or the client went away: either way the request's waits end.
    response.once('close', () => {
      state.stats.active--;
      inFlight.delete(controller);
      controller.abort();
    });
    if (closing.signal.aborted) controller.abort();
    void serve(request, response, controller.signal, state, routes);
  });
  await listen(server, resolved.host, resolved.port);
  const port = (server.address() as AddressInfo).port;
  const urlHost = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    host: resolved.host,
    port,
    faults,
    get stats() {
      return snapshotStats(state.stats, state.scheduler);
    },
    resetStats() {
      state.stats.reset();
      state.scheduler.resetMaxRunning();
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        for (const controller of inFlight) controller.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  signal: AbortSignal,
  state: ServerState,
  routes: RouteTable,
): Promise<void> {
  try {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    const method = request.method ?? 'GET';
    const handlers = routes.get(path);
    // Gin's router answers: plain-text 404 for an unknown path, 405 for a known path and another method.
    if (handlers === undefined) return sendText(response, 404, '404 page not found');
    const handler = handlers[method];
    if (handler === undefined) return sendText(response, 405, '405 method not allowed');
    state.stats.route(`${method} ${path}`);
    const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(request);
    if (body === 'too-large') return sendError(response, 413, 'request body too large');
    const decision = path.startsWith(`${ADMIN_PREFIX}/`) ? undefined : state.faults.decide(path);
    if (decision !== undefined) {
      if (!(await sleep(decision.latencyMs, signal))) return;
      if (decision.error !== undefined) {
        state.stats.faulted++;
        return sendError(response, decision.error.status, decision.error.message);
      }
    }
    const context: RequestContext = {
      request,
      response,
      signal,
      startedNs: process.hrtime.bigint(),
      body,
      chunkFaults: decision?.chunks && countHits(decision.chunks, state),
      state,
    };
    await handler(context);
  } catch (error) {
    // A bug or a broken socket: answer 500 if nothing went out yet, otherwise cut the connection.
    if (!response.headersSent && !response.destroyed) sendError(response, 500, (error as Error).message);
    else response.destroy();
  }
}

/** Wraps a request's chunk faults so `stats.faulted` counts the request once, when a fault acts. */
function countHits(plan: ChunkFaultPlan, state: ServerState): ChunkFaultPlan {
  let counted = false;
  return {
    errorMessage: plan.errorMessage,
    at(index) {
      const fault = plan.at(index);
      if (fault !== undefined && !counted) {
        counted = true;
        state.stats.faulted++;
      }
      return fault;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const address = `${host}:${port}`;
      const inUse = error.code === 'EADDRINUSE';
      reject(
        new FakeOllamaConfigError(
          inUse ? FakeOllamaErrorCode.PORT_IN_USE : FakeOllamaErrorCode.LISTEN_FAILED,
          inUse
            ? `${address} is already in use: choose another port, or 0 for any free port`
            : `cannot listen on ${address}: ${error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
