import { parseArgs } from 'node:util';
import { FakeOllamaConfigError, FakeOllamaErrorCode } from './errors.js';
import type { FaultConfig } from './faults.js';
import { DEFAULT_MODELS, type FakeModel, type FakeOllamaOptions } from './options.js';

/** The port the CLI listens on by default: Ollama's own, so clients work with their defaults. */
export const DEFAULT_CLI_PORT = 11434;

/** `sightglass-fake-ollama --help`. */
export const USAGE = `Usage: sightglass-fake-ollama [options]

A fake Ollama server for tests, demos and benchmarks. Prints its URL, stops on SIGINT/SIGTERM.

Options:
  --host <host>            interface to listen on (default 127.0.0.1)
  --port <port>            port, 0 for any free one (default ${DEFAULT_CLI_PORT})
  --model <name>           a chat model to serve; repeat for more
  --embed-model <name>     an embedding-only model to serve; repeat for more
                           (without either: llama3.2 and nomic-embed-text)
  --tps <n>                tokens per second (default 50)
  --ttft-ms <ms>           time to first token (default 100)
  --tokens <n>             tokens per answer (default 32)
  --load-ms <ms>           time to load a model on first use (default 0)
  --seed <n>               seed of the answers (default 0)
  --parallel <n>           requests served at once (default 4)
  --max-queue <n>          requests that may wait; one more gets 503 (default 512)
  --ollama-version <v>     what /api/version says
  --error-status <code>    inject this HTTP error into inference requests
  --error-rate <0..1>      share of inference requests that fail (default 1)
  --latency-ms <ms>        delay added to inference requests
  --admin                  serve /_fake/faults and /_fake/stats
  -h, --help               show this help
`;

/** What the command line asks for: server options, or help. */
export type CliRequest = { help: true } | { help: false; options: FakeOllamaOptions };

const NUMBER_FLAGS = {
  port: 'port',
  tps: 'tokensPerSecond',
  'ttft-ms': 'ttftMs',
  tokens: 'tokensPerAnswer',
  'load-ms': 'loadDurationMs',
  seed: 'seed',
  parallel: 'parallel',
  'max-queue': 'maxQueue',
} as const satisfies Record<string, keyof FakeOllamaOptions>;

const FAULT_FLAGS = {
  'error-status': 'errorStatus',
  'error-rate': 'errorRate',
  'latency-ms': 'addedLatencyMs',
} as const satisfies Record<string, keyof FaultConfig>;

/**
 * Reads the CLI's arguments into `startFakeOllama()` options (with the CLI's port default, 11434).
 * Throws `ERR_FAKE_OLLAMA_INVALID_OPTION` for an unknown flag or a value that is not a number; ranges
 * are checked by `startFakeOllama()` itself.
 */
export function parseCliArgs(argv: readonly string[]): CliRequest {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        model: { type: 'string', multiple: true },
        'embed-model': { type: 'string', multiple: true },
        'ollama-version': { type: 'string' },
        admin: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          [...Object.keys(NUMBER_FLAGS), ...Object.keys(FAULT_FLAGS)].map((flag) => [
            flag,
            { type: 'string' },
          ]),
        ),
      },
    }));
  } catch (error) {
    throw new FakeOllamaConfigError(FakeOllamaErrorCode.INVALID_OPTION, (error as Error).message, {
      cause: error,
    });
  }
  if (values.help === true) return { help: true };

  const options: FakeOllamaOptions = { port: DEFAULT_CLI_PORT };
  if (typeof values.host === 'string') options.host = values.host;
  if (typeof values['ollama-version'] === 'string') options.version = values['ollama-version'];
  if (values.admin === true) options.admin = true;
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') (options as Record<string, number>)[key] = toNumber(flag, value);
  }
  const faults: FaultConfig = {};
  for (const [flag, key] of Object.entries(FAULT_FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') (faults as Record<string, number>)[key] = toNumber(flag, value);
  }
  if (Object.keys(faults).length > 0) options.faults = faults;
  const models = modelsFrom(
    values.model as string[] | undefined,
    values['embed-model'] as string[] | undefined,
  );
  if (models !== undefined) options.models = models;
  return { help: false, options };
}

function toNumber(flag: string, text: string): number {
  const value = text === 'inf' || text === 'Infinity' ? Number.POSITIVE_INFINITY : Number(text);
  if (text.trim() === '' || Number.isNaN(value)) {
    throw new FakeOllamaConfigError(
      FakeOllamaErrorCode.INVALID_OPTION,
      `--${flag} must be a number, got "${text}"`,
    );
  }
  return value;
}

/** Models named on the command line; a name that is one of the defaults keeps the default's details. */
function modelsFrom(chat: string[] = [], embed: string[] = []): FakeModel[] | undefined {
  if (chat.length === 0 && embed.length === 0) return undefined;
  const known = (name: string): FakeModel | undefined =>
    DEFAULT_MODELS.find((model) => model.name === name || model.name === `${name}:latest`);
  const chatCapabilities = (model: FakeModel | undefined): string[] =>
    model?.capabilities?.includes('completion') ? model.capabilities : ['completion'];
  return [
    ...chat.map((name) => ({ ...known(name), name, capabilities: chatCapabilities(known(name)) })),
    ...embed.map((name) => ({ ...known(name), name, capabilities: ['embedding'] })),
  ];
}
