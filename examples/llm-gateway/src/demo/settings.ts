import type { FakeOllamaOptions, FaultConfig } from '@sightglass/fake-ollama';
import type { Models } from '../common-prompts.js';
import type { PolicyOptions } from '../ollama-policy.js';

/** The models the demo asks for: the fake Ollama has both; a real one needs them pulled. */
export const DEMO_MODELS: Models = Object.freeze({ model: 'llama3.2', embedModel: 'nomic-embed-text' });

/**
 * The fake Ollama's speed: about 110 ms per generation (30 ms to the first token, 24 tokens at 300/s),
 * 30 ms per embedding, 4 requests at once like a small GPU box. Fast enough for a short demo, slow enough
 * that a cache hit (about a millisecond) is plainly faster.
 */
export const FAKE_OLLAMA_TIMING: FakeOllamaOptions = Object.freeze({
  tokensPerSecond: 300,
  ttftMs: 30,
  tokensPerAnswer: 24,
  parallel: 4,
});

/** The outage: Ollama accepts requests and never answers them (the kind of failure a breaker helps most with). */
export const OUTAGE: FaultConfig = Object.freeze({ addedLatencyMs: 3_600_000 });

/** Share of one-off requests in the traffic; the rest repeat a popular set. */
export const UNIQUE_SHARE = 0.3;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}

/**
 * The gateway's policy for a demo of `durationSeconds`. Against the fake, the timeout and the breaker's
 * half-open delay scale with the duration so that the outage and the recovery fit in their scenes (a 60 s
 * demo: 1.8 s timeout, 3.6 s half-open delay). Against a real Ollama, the production defaults.
 */
export function demoPolicy(durationSeconds: number, realOllama: boolean): PolicyOptions {
  if (realOllama) return {};
  return {
    timeoutMs: clamp(durationSeconds * 30, 800, 2000),
    halfOpenAfterMs: clamp(durationSeconds * 60, 1000, 4000),
    breakerFailures: 5,
  };
}
