import { FakeOllamaErrorCode } from './errors.js';
import { checkKeys, describe, fail, readNumber, readStrings } from './validate.js';

/**
 * Faults to inject, all deterministic so tests are not flaky. Unset fields inject nothing.
 *
 * The chunk faults count the NDJSON lines of a streamed answer (tokens, then the final `done` line) and
 * act when `N` lines have been sent, so `N = 0` acts before the first line. A non-streamed answer is
 * generated the same way and fails the same way: stall and drop leave the client with no answer, a
 * malformed answer is cut-off JSON, and an error answer is a 500 with `{"error"}` (what Ollama sends when
 * generation fails with `stream: false`).
 */
export interface FaultConfig {
  /**
   * The paths faults apply to.
   * @default the inference endpoints: generate, chat, embed, embeddings
   */
  paths?: readonly string[];
  /**
   * Answer with this HTTP status (400–599) and `{"error": message}` instead of serving the request.
   * @default none: the request is served
   */
  errorStatus?: number;
  /**
   * The message of `errorStatus` and of an error line. Default: 503 says Ollama's "server busy" words,
   * anything else "an error was encountered while running the model: unexpected EOF".
   * @default Ollama's "server busy" words for 503, else
   *   `an error was encountered while running the model: unexpected EOF`
   */
  errorMessage?: string;
  /**
   * The share of matching requests (0..1) that fail: gets `errorStatus` or a chunk fault. Deterministic, not
   * random: with 0.25 the 1st, 5th, 9th… requests after `set()` fail.
   * @default 1
   */
  errorRate?: number;
  /**
   * Delay before a matching request is served, in ms (every matching request, not only failing ones).
   * @default 0
   */
  addedLatencyMs?: number;
  /**
   * After N lines stop sending but keep the connection open (until the client gives up or `close()`).
   * @default none (no stall)
   */
  stallAfterChunks?: number;
  /**
   * After N lines destroy the socket: the client sees the connection drop mid-stream.
   * @default none (no drop)
   */
  dropAfterChunks?: number;
  /**
   * After N lines write one line that is not JSON (a cut-off chunk), then carry on normally.
   * @default none (no malformed line)
   */
  malformedAfterChunks?: number;
  /**
   * After N lines write `{"error": message}` and end the stream, as Ollama does when generation fails
   * mid-stream (HTTP 200 already sent). With N = 0 nothing has been sent yet, so the answer is an HTTP 500.
   * @default none (no error line)
   */
  errorLineAfterChunks?: number;
}

/** What a chunk fault does when its line comes. */
export type ChunkFault = 'drop' | 'stall' | 'malformed' | 'error';

/** The chunk faults of one request: which fault, if any, acts before the line with a given index. */
export interface ChunkFaultPlan {
  /** The fault to apply before writing line `index` (0-based), if any. */
  at(index: number): ChunkFault | undefined;
  /** The message of an error line or error answer. */
  readonly errorMessage: string;
}

/** What the fault settings mean for one request. */
export interface FaultDecision {
  /** Delay before serving, in ms. */
  readonly latencyMs: number;
  /** Answer with this error instead of serving, if set. */
  readonly error?: { readonly status: number; readonly message: string };
  /** Chunk faults for this request, if it is one that fails. */
  readonly chunks?: ChunkFaultPlan;
}

/** Ollama's 503 message when its queue is full (`ErrMaxQueue` in server/sched.go); note the two spaces. */
export const SERVER_BUSY_MESSAGE = 'server busy, please try again.  maximum pending requests exceeded';

/** The default message of an injected failure: the words Ollama uses when a runner fails mid-answer. */
export const DEFAULT_FAULT_MESSAGE = 'an error was encountered while running the model: unexpected EOF';

/** The paths faults apply to by default: those that run a model. */
export const DEFAULT_FAULT_PATHS: readonly string[] = Object.freeze([
  '/api/generate',
  '/api/chat',
  '/api/embed',
  '/api/embeddings',
]);

const FAULT_KEYS = [
  'paths',
  'errorStatus',
  'errorMessage',
  'errorRate',
  'addedLatencyMs',
  'stallAfterChunks',
  'dropAfterChunks',
  'malformedAfterChunks',
  'errorLineAfterChunks',
] as const satisfies readonly (keyof FaultConfig)[];

// When two chunk faults fall on the same line, the most drastic one wins.
const CHUNK_FAULTS: ReadonlyArray<readonly [keyof FaultConfig, ChunkFault]> = [
  ['dropAfterChunks', 'drop'],
  ['stallAfterChunks', 'stall'],
  ['errorLineAfterChunks', 'error'],
  ['malformedAfterChunks', 'malformed'],
];

const CODE = FakeOllamaErrorCode.INVALID_FAULT;

/** Checks a fault configuration and returns a normalized copy, throwing `ERR_FAKE_OLLAMA_INVALID_FAULT`. */
export function validateFaults(
  config: FaultConfig,
): Required<Pick<FaultConfig, 'paths' | 'errorRate'>> & FaultConfig {
  const c = checkKeys(config, FAULT_KEYS, 'faults', CODE);
  const paths = readStrings(c.paths, 'faults.paths', CODE, DEFAULT_FAULT_PATHS);
  for (const path of paths) {
    if (!path.startsWith('/')) fail(CODE, `faults.paths entries must start with "/", got ${describe(path)}`);
  }
  const normalized: FaultConfig & { paths: string[]; errorRate: number } = {
    paths,
    errorRate: readNumber(c.errorRate, 'faults.errorRate', CODE, { min: 0, max: 1 }, 1),
  };
  if (c.errorStatus !== undefined) {
    normalized.errorStatus = readNumber(
      c.errorStatus,
      'faults.errorStatus',
      CODE,
      { min: 400, max: 599, integer: true },
      0,
    );
  }
  if (c.errorMessage !== undefined) {
    if (typeof c.errorMessage !== 'string') {
      fail(CODE, `faults.errorMessage must be a string, got ${describe(c.errorMessage)}`);
    }
    normalized.errorMessage = c.errorMessage;
  }
  if (c.addedLatencyMs !== undefined) {
    normalized.addedLatencyMs = readNumber(
      c.addedLatencyMs,
      'faults.addedLatencyMs',
      CODE,
      { min: 0, max: 3_600_000 },
      0,
    );
  }
  for (const [key] of CHUNK_FAULTS) {
    if (c[key] !== undefined) {
      (normalized as unknown as Record<string, number>)[key] = readNumber(
        c[key],
        `faults.${key}`,
        CODE,
        { min: 0, integer: true },
        0,
      );
    }
  }
  return normalized;
}

/**
 * Holds the faults in force and decides, request by request, which ones apply. Reached as
 * `server.faults`; every change takes effect for the next request.
 */
export class FaultController {
  #config: ReturnType<typeof validateFaults> | undefined;
  #matched = 0;

  constructor(initial?: FaultConfig) {
    if (initial !== undefined) this.set(initial);
  }

  /**
   * Replaces the faults in force (it does not merge with the previous ones) and restarts the request
   * count `errorRate` is measured on. Throws `ERR_FAKE_OLLAMA_INVALID_FAULT` for a bad value.
   */
  set(config: FaultConfig): void {
    this.#config = validateFaults(config);
    this.#matched = 0;
  }

  /** Removes every fault. */
  clear(): void {
    this.#config = undefined;
    this.#matched = 0;
  }

  /** A copy of the faults in force (with defaults filled in), or `undefined` when there are none. */
  get current(): FaultConfig | undefined {
    return this.#config === undefined ? undefined : { ...this.#config, paths: [...this.#config.paths] };
  }

  /**
   * Decides the faults of the next request to `path` (`undefined` when none apply), counting it toward
   * `errorRate`. The server calls this once per request; tests need not.
   */
  decide(path: string): FaultDecision | undefined {
    const config = this.#config;
    if (config === undefined || !config.paths.includes(path)) return undefined;
    const index = this.#matched++;
    const latencyMs = config.addedLatencyMs ?? 0;
    // Evenly spread and deterministic: request i fails when the count of failures due by request i+1
    // (ceil((i+1)·rate)) grows past the count due by request i. The first request always fails.
    const due = (n: number): number => Math.ceil(n * config.errorRate - 1e-9);
    if (due(index + 1) <= due(index)) return { latencyMs };
    const status = config.errorStatus;
    if (status !== undefined) {
      const message = config.errorMessage ?? (status === 503 ? SERVER_BUSY_MESSAGE : DEFAULT_FAULT_MESSAGE);
      return { latencyMs, error: { status, message } };
    }
    const plan = chunkPlan(config);
    return plan === undefined ? { latencyMs } : { latencyMs, chunks: plan };
  }
}

function chunkPlan(config: FaultConfig): ChunkFaultPlan | undefined {
  const active = CHUNK_FAULTS.filter(([key]) => config[key] !== undefined).map(
    ([key, fault]) => [config[key] as number, fault] as const,
  );
  if (active.length === 0) return undefined;
  return {
    errorMessage: config.errorMessage ?? DEFAULT_FAULT_MESSAGE,
    at: (index) => active.find(([after]) => after === index)?.[1],
  };
}
