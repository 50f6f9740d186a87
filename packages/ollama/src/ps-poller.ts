import { CATALOG, type CounterCell, ErrorCode, metricRegistry, SightglassError } from '@sightglass/core';
import { validateNumber } from '@sightglass/core/internal';
import { Client } from 'undici';
import type { ParsedHost } from './host.js';

/** Options of the `/api/ps` poller (`psPoll` in the client's config). */
export interface PsPollOptions {
  /**
   * Time between two polls, in ms. At least {@link MIN_PS_POLL_INTERVAL_MS} (1000).
   *
   * @default 15000 ({@link DEFAULT_PS_POLL_INTERVAL_MS})
   */
  intervalMs?: number;
  /**
   * How long one poll may take, in ms, answer included; more than 0 and at most `intervalMs`.
   *
   * @default 5000, or `intervalMs` if that is shorter
   */
  timeoutMs?: number;
}

/** The default time between two `/api/ps` polls: 15 s, a usual scrape interval. */
export const DEFAULT_PS_POLL_INTERVAL_MS = 15_000;
/** The shortest time between two polls: 1 s. */
export const MIN_PS_POLL_INTERVAL_MS = 1000;
const DEFAULT_PS_POLL_TIMEOUT_MS = 5000;
/**
 * The largest `/api/ps` answer read, in bytes (1 MiB): a few loaded models take a few KiB, so a larger
 * answer is not Ollama's and is a failed poll, never read into memory whole.
 */
export const MAX_PS_BODY_BYTES = 1024 * 1024;
/** The most loaded models reported (Ollama holds a few; `OLLAMA_MAX_LOADED_MODELS` is 3 per GPU). */
const MAX_MODELS = 100;

/** The poller's options with defaults applied. */
export interface ResolvedPsPoll {
  intervalMs: number;
  timeoutMs: number;
}

function invalid(message: string): never {
  throw new SightglassError(ErrorCode.INVALID_CONFIG, message);
}

/**
 * Checks `psPoll` and applies its defaults: `undefined` or `false` is off, `true` the defaults.
 *
 * @throws SightglassError `ERR_SIGHTGLASS_INVALID_CONFIG`
 */
export function resolvePsPoll(value: unknown): ResolvedPsPoll | undefined {
  if (value === undefined || value === false) return undefined;
  const options = value === true ? {} : value;
  if (typeof options !== 'object' || options === null) invalid('psPoll must be a boolean or an object');
  const { intervalMs = DEFAULT_PS_POLL_INTERVAL_MS, timeoutMs } = options as PsPollOptions;
  validateNumber(intervalMs, 'psPoll.intervalMs', {
    code: ErrorCode.INVALID_CONFIG,
    min: MIN_PS_POLL_INTERVAL_MS,
    unit: 'milliseconds',
  });
  const timeout = timeoutMs ?? Math.min(DEFAULT_PS_POLL_TIMEOUT_MS, intervalMs);
  if (typeof timeout !== 'number' || !(timeout > 0) || timeout > intervalMs) {
    invalid(`psPoll.timeoutMs must be a number > 0 and ≤ intervalMs, got ${String(timeoutMs)}`);
  }
  return { intervalMs, timeoutMs: timeout };
}

/** One loaded model as the gauges read it. */
interface LoadedModel {
  size: number;
  vram: number;
  expiresAtMs: number;
  /** Removes the model's three series. */
  remove: () => void;
}

/**
 * A body's text, or an error once it outgrows `maxBytes`; the rest is not read (leaving the loop destroys
 * the body, closing its connection).
 */
async function readCapped(body: AsyncIterable<Buffer>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw new Error(`the answer is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, bytes).toString('utf8');
}

/** What `/api/ps` lists, checked: a bad answer is a failed poll. */
function parseModels(body: unknown): Map<string, { size: number; vram: number; expiresAtMs: number }> {
  const models = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw new Error('the answer has no "models" array');
  const parsed = new Map<string, { size: number; vram: number; expiresAtMs: number }>();
  for (const entry of models.slice(0, MAX_MODELS)) {
    const {
      model,
      name,
      size,
      size_vram: vram,
      expires_at: expiresAt,
    } = (entry ?? {}) as Record<string, unknown>;
    const id = typeof model === 'string' && model !== '' ? model : name;
    if (typeof id !== 'string' || id === '') throw new Error('a model without a name');
    parsed.set(id, {
      size: typeof size === 'number' ? size : Number.NaN,
      vram: typeof vram === 'number' ? vram : Number.NaN,
      expiresAtMs: typeof expiresAt === 'string' ? Date.parse(expiresAt) : Number.NaN,
    });
  }
  return parsed;
}

/**
 * Polls Ollama's `GET /api/ps` every `intervalMs` and reports the loaded models as gauges:
 * `ollama_loaded_models`, and per model `ollama_model_size_bytes`, `ollama_model_vram_bytes` and
 * `ollama_model_expires_in_seconds` (read at collection time from the last answer). Opt-in (`psPoll`).
 *
 * Polls go over a connection of their own (not the client's pool: a poll never waits behind the
 * application's streams, nor shows in its pool figures), one at a time, each bounded by `timeoutMs`. A
 * failed poll (Ollama down, a timeout, a bad answer) is counted in `ollama_ps_poll_failures_total` and
 * shown in the pool's health details (`ps_poll`), never thrown; the model series are then absent (unknown,
 * not zero) until a poll succeeds. The timer is unref'd: it never keeps the process alive. `stop()` ends it.
 */
export class PsPoller {
  private readonly client: Client;
  private readonly path: string;
  private readonly models = new Map<string, LoadedModel>();
  private readonly failures: CounterCell;
  private readonly removeCount: () => void;
  private readonly removeFailures: () => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: AbortController | undefined;
  private known = false;
  private stopped = false;
  private lastError: { message: string; at: string } | undefined;
  private lastSuccessAt: string | undefined;

  constructor(
    host: ParsedHost,
    private readonly headers: Record<string, string>,
    private readonly poolName: string,
    private readonly options: ResolvedPsPoll,
  ) {
    this.path = `${host.basePath}/api/ps`;
    const timeout = options.timeoutMs;
    this.client = new Client(host.origin, {
      connectTimeout: timeout,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: Math.max(options.intervalMs * 2, 4000),
    });
    const registry = metricRegistry();
    const labels = { pool_name: poolName };
    this.removeCount = registry.addGauge(CATALOG.ollamaLoadedModels, labels, () =>
      this.known ? this.models.size : undefined,
    );
    const failures = registry.addCounter(CATALOG.ollamaPsPollFailures, labels);
    this.failures = failures.cell;
    this.removeFailures = failures.remove;
    this.schedule(0);
  }

  /** The poller's state for the pool's health details. */
  details(): Record<string, unknown> {
    return {
      interval_ms: this.options.intervalMs,
      loaded_models: this.known ? this.models.size : null,
      ...(this.lastSuccessAt === undefined ? {} : { last_success_at: this.lastSuccessAt }),
      ...(this.lastError === undefined ? {} : { last_error: this.lastError }),
    };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref?.();
  }

  /** One poll; never throws (a failure is counted and remembered), then the next one is scheduled. */
  private async poll(): Promise<void> {
    const controller = new AbortController();
    this.inFlight = controller;
    const deadline = setTimeout(
      () => controller.abort(new Error(`no answer within ${this.options.timeoutMs} ms`)),
      this.options.timeoutMs,
    );
    deadline.unref?.();
    try {
      const response = await this.client.request({
        path: this.path,
        method: 'GET',
        headers: this.headers,
        signal: controller.signal,
      });
      const text = await readCapped(response.body, MAX_PS_BODY_BYTES);
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      if (!this.stopped) this.update(parseModels(JSON.parse(text)));
    } catch (error) {
      if (!this.stopped) this.failed(controller.signal.aborted ? controller.signal.reason : error);
    } finally {
      clearTimeout(deadline);
      this.inFlight = undefined;
      this.schedule(this.options.intervalMs);
    }
  }

  private update(parsed: Map<string, { size: number; vram: number; expiresAtMs: number }>): void {
    for (const [name, model] of this.models) {
      if (!parsed.has(name)) {
        model.remove();
        this.models.delete(name);
      }
    }
    for (const [name, figures] of parsed) {
      const known = this.models.get(name);
      if (known !== undefined) {
        Object.assign(known, figures);
        continue;
      }
      this.models.set(name, this.track(name, figures));
    }
    this.known = true;
    this.lastSuccessAt = new Date().toISOString();
  }

  /** The three series of one loaded model, reading its last figures at collection time. */
  private track(name: string, figures: { size: number; vram: number; expiresAtMs: number }): LoadedModel {
    const registry = metricRegistry();
    const labels = { pool_name: this.poolName, model: name };
    const model: LoadedModel = { ...figures, remove: () => undefined };
    const finite = (value: number) => (Number.isFinite(value) ? value : undefined);
    const removers = [
      registry.addGauge(CATALOG.ollamaModelSizeBytes, labels, () => finite(model.size)),
      registry.addGauge(CATALOG.ollamaModelVramBytes, labels, () => finite(model.vram)),
      registry.addGauge(CATALOG.ollamaModelExpiresInSeconds, labels, () =>
        Number.isFinite(model.expiresAtMs) ? Math.max(0, (model.expiresAtMs - Date.now()) / 1000) : undefined,
      ),
    ];
    model.remove = () => {
      for (const remove of removers) remove();
    };
    return model;
  }

  private failed(error: unknown): void {
    this.failures.inc();
    const message = error instanceof Error ? error.message : String(error);
    this.lastError = { message: message.slice(0, 500), at: new Date().toISOString() };
    this.clearModels();
    this.known = false;
  }

  private clearModels(): void {
    for (const model of this.models.values()) model.remove();
    this.models.clear();
  }

  /** Stops polling: cancels the timer and a poll in flight, removes the series, closes the connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.inFlight?.abort(new Error('the poller stopped'));
    this.clearModels();
    this.removeCount();
    this.removeFailures();
    await this.client.destroy().catch(() => undefined);
  }
}
