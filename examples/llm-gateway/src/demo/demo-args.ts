import { parseArgs } from 'node:util';
import type { Models } from '../common-prompts.js';
import { DEMO_MODELS } from './settings.js';

/** The demo's command line. */
export interface DemoArgs {
  /** `--compare`: measure a naive setup against the Sightglass one instead of running the scenes. */
  readonly compare: boolean;
  /** `--duration SECONDS`: total length. Default 60. */
  readonly durationSeconds: number;
  /** `--rate N`: requests per second. Default 20. */
  readonly rate: number;
  /** `--concurrency N`: clients of the throughput phase of `--compare`. Default 16. */
  readonly concurrency: number;
  /** `--ollama-url URL`: a real Ollama instead of the in-process fake. */
  readonly ollamaUrl: string | undefined;
  /** `--model`, `--embed-model`. */
  readonly models: Models;
  /** The gateway's port: `PORT`, default 0 (a free one). */
  readonly port: number;
  /** `--help`. */
  readonly help: boolean;
}

export const DEMO_USAGE = `Usage: pnpm demo [options]

  --duration SECONDS   total length (default 60)
  --rate N             requests per second (default 20)
  --compare            measure a naive setup (a connection per call, no cache, no breaker) against Sightglass
  --concurrency N      clients in the throughput phase of --compare (default 16)
  --ollama-url URL     run against a real Ollama instead of the in-process fake (outage scenes are skipped)
  --model NAME         chat/generate model (default ${DEMO_MODELS.model})
  --embed-model NAME   embedding model (default ${DEMO_MODELS.embedModel})

PORT sets the gateway's port (default: a free one). Ctrl-C stops everything cleanly.`;

function numberArg(
  value: string | undefined,
  fallback: number,
  what: string,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new Error(`${what} must be a number from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

/**
 * Parses the demo's arguments.
 *
 * @throws Error saying which argument is wrong (an unknown flag, a duration that is not a number).
 */
export function parseDemoArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): DemoArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      compare: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      'ollama-url': { type: 'string' },
      model: { type: 'string' },
      'embed-model': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const ollamaUrl = values['ollama-url'];
  if (ollamaUrl !== undefined && !/^https?:\/\/./.test(ollamaUrl)) {
    throw new Error(`--ollama-url must be an http(s) URL, got "${ollamaUrl}"`);
  }
  return {
    compare: values.compare,
    // Four seconds at least: each scene needs time for the breaker to open and close.
    durationSeconds: numberArg(values.duration, 60, '--duration', 4, 24 * 3600),
    rate: numberArg(values.rate, 20, '--rate', 1, 1000),
    concurrency: Math.round(numberArg(values.concurrency, 16, '--concurrency', 1, 256)),
    ollamaUrl,
    models: {
      model: values.model ?? DEMO_MODELS.model,
      embedModel: values['embed-model'] ?? DEMO_MODELS.embedModel,
    },
    port: Math.round(numberArg(env.PORT, 0, 'PORT', 0, 65_535)),
    help: values.help,
  };
}
