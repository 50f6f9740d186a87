import type { RequestContext } from './context.js';
import type { ChunkSink } from './sinks.js';
import { sleep, yieldToEventLoop } from './sleep.js';

/** The timing and token counts of a finished answer, in Ollama's units (nanoseconds). */
export interface Metrics {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

/** What the generation loop needs from a handler: how to shape a chunk and the final line. */
export interface GenerationPlan {
  readonly tokens: readonly string[];
  readonly promptTokens: number;
  readonly loadedNs: bigint;
  /**
   * The line carrying the token at `index` (`response` for generate, `message.content` for chat), or
   * `undefined` for a token that is generated but not sent on its own (part of a tool call).
   */
  chunk(token: string, index: number): object | undefined;
  /** The `done: true` line, given the metrics. */
  final(metrics: Metrics): object;
}

/** Tokens written back to back, without a timer, before the loop lets other work run. */
const BURST = 32;

/**
 * Streams a planned answer in time: the first token `ttftMs` after the model is ready, then one every
 * `1/tokensPerSecond` seconds, scheduled against the clock so timer jitter does not add up. Ends with the
 * final line carrying measured durations. Returns `false` when the answer was cut short (a fault, the
 * client leaving, `close()`).
 */
export async function streamAnswer(
  context: RequestContext,
  sink: ChunkSink,
  plan: GenerationPlan,
): Promise<boolean> {
  const { ttftMs, tokensPerSecond } = context.state.options;
  const intervalMs = 1000 / tokensPerSecond;
  const start = performance.now() - Number(process.hrtime.bigint() - plan.loadedNs) / 1e6;
  let firstNs = 0n;
  let lastNs = 0n;
  for (let i = 0; i < plan.tokens.length; i++) {
    const wait = start + ttftMs + i * intervalMs - performance.now();
    if (wait >= 1) {
      if (!(await sleep(wait, context.signal))) return false;
    } else if (i > 0 && i % BURST === 0) {
      await yieldToEventLoop();
    }
    lastNs = process.hrtime.bigint();
    if (i === 0) firstNs = lastNs;
    const line = plan.chunk(plan.tokens[i]!, i);
    if (line !== undefined && (await sink.chunk(line)) === 'stopped') return false;
    context.state.stats.tokens++;
  }
  const doneNs = process.hrtime.bigint();
  const intervalNs = Math.round(intervalMs * 1e6);
  const metrics: Metrics = {
    total_duration: Number(doneNs - context.startedNs),
    load_duration: Number(plan.loadedNs - context.startedNs),
    prompt_eval_count: plan.promptTokens,
    prompt_eval_duration: Number(firstNs - plan.loadedNs),
    eval_count: plan.tokens.length,
    // The first token's own decode time is inside the ttft, so one interval is added back: then
    // eval_count / eval_duration is the configured rate, as a client computing tokens/s expects.
    eval_duration: Math.max(1, Number(lastNs - firstNs) + intervalNs),
  };
  if ((await sink.finish(plan.final(metrics))) === 'stopped') return false;
  context.state.stats.completed++;
  return true;
}

/**
 * Drops the zero counts and durations from a final line, as Go's `omitempty` does on Ollama's `Metrics`
 * (a model load reports no prompt evaluation, for instance).
 */
export function withoutZeros(metrics: Partial<Metrics>): Partial<Metrics> {
  const result: Partial<Metrics> = {};
  for (const [key, value] of Object.entries(metrics) as [keyof Metrics, number][]) {
    if (value !== 0) result[key] = value;
  }
  return result;
}
