import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChunkFaultPlan, FaultController } from './faults.js';
import type { ModelRegistry } from './models.js';
import type { ResolvedOptions } from './options.js';
import type { Scheduler } from './scheduler.js';
import type { StatsCounters } from './stats.js';

/** Everything the handlers share for the life of a server. */
export interface ServerState {
  readonly options: ResolvedOptions;
  readonly registry: ModelRegistry;
  readonly scheduler: Scheduler;
  readonly faults: FaultController;
  readonly stats: StatsCounters;
  /** Aborted by `close()`: server-wide work (a model load shared by requests) stops with it. */
  readonly closing: AbortSignal;
  /** Model loads under way, by model key, so concurrent requests share one load as in Ollama. */
  readonly loads: Map<string, Promise<boolean>>;
}

/** One request, as a handler sees it. */
export interface RequestContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** Aborted when the client goes away or the server closes: every wait of the request ends with it. */
  readonly signal: AbortSignal;
  /** When the request arrived (`process.hrtime.bigint()`), the start of `total_duration`. */
  readonly startedNs: bigint;
  /** The request body as text (`''` for GET and HEAD). */
  readonly body: string;
  /** The chunk faults injected into this request, if any. */
  readonly chunkFaults: ChunkFaultPlan | undefined;
  readonly state: ServerState;
}

/** Serves one route. */
export type Handler = (context: RequestContext) => Promise<void> | void;
