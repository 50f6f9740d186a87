import { recordWithSpan } from '@sightglass/core';
import { reportInstrumentationError } from '@sightglass/core/internal';
import { errorType } from './errors.js';
import {
  type GenAiMetrics,
  type GenAiOperation,
  responseModel,
  type Series,
  type Usage,
} from './genai-metrics.js';
import type { GenAiSpan } from './genai-span.js';
import type { StreamHooks } from './stream.js';

/** What a chunk of a chat or generate stream may carry. */
interface Chunk {
  done?: unknown;
  response?: unknown;
  thinking?: unknown;
  message?: { content?: unknown; thinking?: unknown; tool_calls?: unknown } | null;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

/**
 * Whether a chunk carries generated output (text, thinking, tool calls). Ollama's final `done` line usually
 * carries only the figures, right after the last token: it is not counted as an output chunk then.
 */
export function carriesOutput(chunk: Chunk): boolean {
  if (nonEmpty(chunk.response) || nonEmpty(chunk.thinking)) return true;
  const message = chunk.message;
  if (message === null || typeof message !== 'object') return false;
  if (nonEmpty(message.content) || nonEmpty(message.thinking)) return true;
  return Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
}

/**
 * The GenAI metrics and span of one streamed call: the time to its first chunk, the time between chunks
 * after it (`gen_ai.client.operation.time_per_output_chunk`, one value per chunk), and at its end what
 * {@link GenAiMetrics.succeeded} or {@link GenAiMetrics.failed} records; the span (when traced) ends at the
 * same moment. Every figure is taken from when the client received the line (`atMs`, stamped by the line
 * reader as the bytes came in), not from when the application read it: a slow reader does not show as a
 * slow model. The series are bound at the first chunk (which names the answering model), so a chunk costs a
 * bucket increment, with nothing allocated.
 */
export class GenAiStream<T extends object> implements StreamHooks<T> {
  private series: Series | undefined;
  private response: string | undefined;
  private lastMs = 0;

  constructor(
    private readonly genAi: GenAiMetrics | undefined,
    private readonly operation: GenAiOperation,
    private readonly model: string,
    private readonly startedMs: number,
    private readonly span: GenAiSpan | undefined,
  ) {}

  first(chunk: T, atMs: number): void {
    this.span?.firstChunk(chunk, atMs);
    const genAi = this.genAi;
    if (genAi === undefined) return;
    try {
      this.response = responseModel(chunk as Usage);
      this.series = genAi.seriesFor(this.operation, this.model, this.response);
      recordWithSpan(this.series.firstChunk, (atMs - this.startedMs) / 1000, this.span?.span);
      this.lastMs = atMs;
    } catch (error) {
      reportInstrumentationError('ollama GenAI metrics', error);
    }
  }

  chunk(chunk: T, atMs: number): void {
    this.span?.chunk(chunk);
    try {
      const series = this.series;
      if (series === undefined) return;
      if ((chunk as Chunk).done === true && !carriesOutput(chunk as Chunk)) return;
      series.perChunk.record((atMs - this.lastMs) / 1000);
      this.lastMs = atMs;
    } catch (error) {
      reportInstrumentationError('ollama GenAI metrics', error);
    }
  }

  /** The operation ends when its final line arrived. */
  done(last: T, atMs: number): void {
    const span = this.span;
    this.genAi?.succeeded(this.operation, this.model, this.seconds(atMs), last as Usage, span?.span);
    span?.succeeded(last, atMs);
  }

  /**
   * A stream the caller left early (`break`, `error` undefined) did not fail: no metric records it, its
   * span ends there with an event saying so.
   */
  failed(error: unknown, atMs: number): void {
    const span = this.span;
    if (error === undefined) {
      span?.left();
      return;
    }
    const type = errorType(error);
    this.genAi?.failed(this.operation, this.model, this.seconds(atMs), type, this.response, span?.span);
    span?.failed(error, atMs);
  }

  private seconds(atMs: number): number {
    return Math.max(0, atMs - this.startedMs) / 1000;
  }
}
