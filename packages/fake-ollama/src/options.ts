import { createHash } from 'node:crypto';
import { FakeOllamaErrorCode } from './errors.js';
import type { FaultConfig } from './faults.js';
import { parseModelName } from './names.js';
import { checkKeys, describe, fail, readNumber, readString, readStrings } from './validate.js';

/**
 * A model the fake server has "installed". Only `name` is required; the rest default to a small llama
 * model. Field names are the camel-case forms of the API's (`parameterSize` is `parameter_size`).
 */
export interface FakeModel {
  /** As `ollama list` shows it; without a tag it is `:latest` (`llama3.2` → `llama3.2:latest`). */
  name: string;
  /** Size in bytes. Default 2019393189. */
  size?: number;
  /** The manifest digest, 64 hex digits (a `sha256:` prefix is accepted). Default: derived from the name. */
  digest?: string;
  /** When the model was "pulled". Default: when the server started. */
  modifiedAt?: Date | string;
  /** Default `llama`. */
  family?: string;
  /** Default `[family]`. */
  families?: string[];
  /** Default `3.2B`. */
  parameterSize?: string;
  /** Default `Q4_K_M`. */
  quantizationLevel?: string;
  /** Default `gguf`. */
  format?: string;
  /** Length of the vectors `/api/embed` returns. Default 3072. */
  embeddingLength?: number;
  /** Context window shown by `/api/show` and `/api/ps`. Default 131072. */
  contextLength?: number;
  /**
   * What `/api/show` and `/api/tags` list, and what the model does: `completion` is required by
   * `/api/generate` and `/api/chat` (an embedding-only model answers them with 400 "does not support
   * generate/chat", as Ollama does), `tools` by a chat with tools, `thinking` makes it think (by default,
   * as Ollama's thinking models do), `vision` makes it look at images, `embedding` serves `/api/embed`.
   * Default `['completion']`.
   */
  capabilities?: string[];
}

/** A model with every field filled in and its name parsed. */
export interface ResolvedModel {
  readonly name: string;
  readonly key: string;
  readonly size: number;
  readonly digest: string;
  readonly modifiedAt: Date;
  readonly family: string;
  readonly families: readonly string[];
  readonly parameterSize: string;
  readonly quantizationLevel: string;
  readonly format: string;
  readonly embeddingLength: number;
  readonly contextLength: number;
  readonly capabilities: readonly string[];
}

/**
 * The models a server has when `models` is not given: `llama3.2` (chat, tools), `qwen3` (chat, tools,
 * thinking), `gemma3` (chat, vision) and `nomic-embed-text` (embedding), with the capabilities
 * `ollama show` gives the real ones.
 */
export const DEFAULT_MODELS: readonly FakeModel[] = Object.freeze([
  {
    name: 'llama3.2:latest',
    size: 2019393189,
    family: 'llama',
    parameterSize: '3.2B',
    quantizationLevel: 'Q4_K_M',
    embeddingLength: 3072,
    contextLength: 131072,
    capabilities: ['completion', 'tools'],
  },
  {
    // A thinking model (Qwen 3 8B's figures): thinks by default, and calls tools.
    name: 'qwen3:latest',
    size: 5225388164,
    family: 'qwen3',
    parameterSize: '8.2B',
    quantizationLevel: 'Q4_K_M',
    embeddingLength: 4096,
    contextLength: 40960,
    capabilities: ['completion', 'tools', 'thinking'],
  },
  {
    // A vision model (Gemma 3 4B's figures): sees images, and has no tools, as the real one.
    name: 'gemma3:latest',
    size: 3338801804,
    family: 'gemma3',
    parameterSize: '4.3B',
    quantizationLevel: 'Q4_K_M',
    embeddingLength: 2560,
    contextLength: 131072,
    capabilities: ['completion', 'vision'],
  },
  {
    name: 'nomic-embed-text:latest',
    size: 274302450,
    family: 'nomic-bert',
    parameterSize: '137M',
    quantizationLevel: 'F16',
    embeddingLength: 768,
    contextLength: 2048,
    capabilities: ['embedding'],
  },
]);

/** Options of {@link startFakeOllama}. Every one is optional; the defaults suit a demo. */
export interface FakeOllamaOptions {
  /**
   * Interface to listen on.
   * @default `127.0.0.1`
   */
  host?: string;
  /**
   * Port; 0 (the default) picks a free one, read it from `server.port`.
   * @default 0 (a free port)
   */
  port?: number;
  /**
   * The installed models.
   * @default {@link DEFAULT_MODELS}
   */
  models?: readonly FakeModel[];
  /**
   * Mixed into every answer's seed: another seed gives other (but again reproducible) answers.
   * @default 0
   */
  seed?: number;
  /**
   * Generation speed after the first token. `Infinity` sends tokens back to back.
   * @default 50
   */
  tokensPerSecond?: number;
  /**
   * Time to first token once the model is loaded, in ms: Ollama's prompt evaluation. `/api/embed` takes this
   * long too.
   * @default 100
   */
  ttftMs?: number;
  /**
   * Tokens in a full answer (its `eval_count`), unless `options.num_predict` cuts it.
   * @default 32
   */
  tokensPerAnswer?: number;
  /**
   * Time to load a model that is not loaded yet (first use, after `keep_alive` ran out, after an unload), in
   * ms. It shows in `load_duration`.
   * @default 0
   */
  loadDurationMs?: number;
  /**
   * Requests served at once (Ollama's `OLLAMA_NUM_PARALLEL`, here for the whole server).
   * @default 4
   */
  parallel?: number;
  /**
   * Requests that may wait for a slot (`OLLAMA_MAX_QUEUE`); one more is answered 503 "server busy".
   * @default 512, as Ollama's
   */
  maxQueue?: number;
  /**
   * What `/api/version` says.
   * @default {@link DEFAULT_OLLAMA_VERSION}
   */
  version?: string;
  /**
   * Serve the admin endpoints under `/_fake/` (faults and stats over HTTP, for a fake in another
   * process). Default `false`: a real Ollama has no such paths.
   * @default false
   */
  admin?: boolean;
  /**
   * Faults in force from the start (see `server.faults.set`).
   * @default none
   */
  faults?: FaultConfig;
}

/**
 * The Ollama version the fake reports by default: the last release (v0.32.15; v0.33.0 has only release
 * candidates so far), which already has all the API the fake serves (tool call ids, `think` levels up to
 * `max`, capabilities on `/api/tags` since v0.30), so a client that switches features on by version sees
 * the ones the fake serves.
 */
export const DEFAULT_OLLAMA_VERSION = '0.32.15';

/** Options with defaults applied and checked. */
export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly models: ResolvedModel[];
  readonly seed: number;
  readonly tokensPerSecond: number;
  readonly ttftMs: number;
  readonly tokensPerAnswer: number;
  readonly loadDurationMs: number;
  readonly parallel: number;
  readonly maxQueue: number;
  readonly version: string;
  readonly admin: boolean;
  readonly faults: FaultConfig | undefined;
}

const OPTION_KEYS = [
  'host',
  'port',
  'models',
  'seed',
  'tokensPerSecond',
  'ttftMs',
  'tokensPerAnswer',
  'loadDurationMs',
  'parallel',
  'maxQueue',
  'version',
  'admin',
  'faults',
] as const satisfies readonly (keyof FakeOllamaOptions)[];

const MODEL_KEYS = [
  'name',
  'size',
  'digest',
  'modifiedAt',
  'family',
  'families',
  'parameterSize',
  'quantizationLevel',
  'format',
  'embeddingLength',
  'contextLength',
  'capabilities',
] as const satisfies readonly (keyof FakeModel)[];

const OPTION = FakeOllamaErrorCode.INVALID_OPTION;
const MODEL = FakeOllamaErrorCode.INVALID_MODEL;

/**
 * Applies defaults to `options` and checks every value, throwing a `FakeOllamaConfigError` that names the
 * option and what was wrong (an unknown key, usually a typo, is an error too).
 */
export function resolveOptions(options: FakeOllamaOptions = {}, now: Date = new Date()): ResolvedOptions {
  const o = checkKeys(options, OPTION_KEYS, 'startFakeOllama() options', OPTION);
  if (o.admin !== undefined && typeof o.admin !== 'boolean') {
    fail(OPTION, `admin must be a boolean, got ${describe(o.admin)}`);
  }
  if (o.models !== undefined && (!Array.isArray(o.models) || o.models.length === 0)) {
    fail(OPTION, `models must be a non-empty array, got ${describe(o.models)}`);
  }
  const models = ((o.models as FakeModel[] | undefined) ?? DEFAULT_MODELS).map((model, index) =>
    resolveModel(model, `models[${index}]`, now),
  );
  const seen = new Set<string>();
  for (const model of models) {
    if (seen.has(model.key)) fail(MODEL, `models has "${model.name}" twice`);
    seen.add(model.key);
  }
  return {
    host: readString(o.host, 'host', OPTION, '127.0.0.1'),
    port: readNumber(o.port, 'port', OPTION, { min: 0, max: 65535, integer: true }, 0),
    models,
    seed: readSeed(o.seed),
    tokensPerSecond: readNumber(
      o.tokensPerSecond,
      'tokensPerSecond',
      OPTION,
      { min: 0, exclusiveMin: true },
      50,
    ),
    ttftMs: readNumber(o.ttftMs, 'ttftMs', OPTION, { min: 0, max: 3_600_000 }, 100),
    tokensPerAnswer: readNumber(
      o.tokensPerAnswer,
      'tokensPerAnswer',
      OPTION,
      { min: 1, max: 1_000_000, integer: true },
      32,
    ),
    loadDurationMs: readNumber(o.loadDurationMs, 'loadDurationMs', OPTION, { min: 0, max: 3_600_000 }, 0),
    parallel: readNumber(o.parallel, 'parallel', OPTION, { min: 1, max: 10_000, integer: true }, 4),
    maxQueue: readNumber(o.maxQueue, 'maxQueue', OPTION, { min: 0, max: 1_000_000, integer: true }, 512),
    version: readString(o.version, 'version', OPTION, DEFAULT_OLLAMA_VERSION),
    admin: (o.admin as boolean | undefined) ?? false,
    faults: o.faults as FaultConfig | undefined,
  };
}

/** Fills in and checks one model definition. */
export function resolveModel(model: FakeModel, what: string, now: Date): ResolvedModel {
  const m = checkKeys(model, MODEL_KEYS, what, MODEL);
  if (typeof m.name !== 'string') fail(MODEL, `${what}.name must be a string, got ${describe(m.name)}`);
  const parsed = parseModelName(m.name);
  if (parsed === undefined)
    fail(MODEL, `${what}.name ${JSON.stringify(m.name)} is not a valid Ollama model name`);
  const family = readString(m.family, `${what}.family`, MODEL, 'llama');
  return {
    name: parsed.display,
    key: parsed.key,
    size: readNumber(m.size, `${what}.size`, MODEL, { min: 1, integer: true }, 2019393189),
    digest: readDigest(m.digest, `${what}.digest`, parsed.key),
    modifiedAt: readDate(m.modifiedAt, `${what}.modifiedAt`, now),
    family,
    families: readStrings(m.families, `${what}.families`, MODEL, [family]),
    parameterSize: readString(m.parameterSize, `${what}.parameterSize`, MODEL, '3.2B'),
    quantizationLevel: readString(m.quantizationLevel, `${what}.quantizationLevel`, MODEL, 'Q4_K_M'),
    format: readString(m.format, `${what}.format`, MODEL, 'gguf'),
    embeddingLength: readNumber(
      m.embeddingLength,
      `${what}.embeddingLength`,
      MODEL,
      { min: 1, max: 65536, integer: true },
      3072,
    ),
    contextLength: readNumber(
      m.contextLength,
      `${what}.contextLength`,
      MODEL,
      { min: 1, integer: true },
      131072,
    ),
    capabilities: readStrings(m.capabilities, `${what}.capabilities`, MODEL, ['completion']),
  };
}

function readSeed(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    fail(OPTION, `seed must be an integer, got ${describe(value)}`);
  }
  return value;
}

function readDigest(value: unknown, what: string, key: string): string {
  // A stable made-up digest, so `ollama list` shows the same ID on every run.
  if (value === undefined) return createHash('sha256').update(`fake-ollama:${key}`).digest('hex');
  const hex = typeof value === 'string' ? value.replace(/^sha256:/, '') : '';
  if (!/^[0-9a-f]{64}$/.test(hex))
    fail(MODEL, `${what} must be 64 lower-case hex digits, got ${describe(value)}`);
  return hex;
}

function readDate(value: unknown, what: string, fallback: Date): Date {
  if (value === undefined) return fallback;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    fail(MODEL, `${what} must be a Date or a date string, got ${describe(value)}`);
  }
  return date;
}
