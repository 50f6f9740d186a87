import { diag } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';
import type { GenAiMetrics, Series } from './genai-metrics.js';
import { GenAiStream } from './genai-stream.js';

/** A GenAiMetrics whose cells throw, as a broken recorder would. */
function throwingMetrics(): GenAiMetrics {
  const broken = {
    record() {
      throw new Error('a broken cell');
    },
  };
  const fine = { record: () => undefined };
  const series = new Proxy({}, { get: (_, key) => (key === 'firstChunk' ? fine : broken) }) as Series;
  return {
    seriesFor: () => series,
    succeeded: () => undefined,
    failed: () => undefined,
  } as unknown as GenAiMetrics;
}

describe('GenAiStream', () => {
  it('never throws into the stream: a failing record in chunk() goes to the diag logger', () => {
    const error = vi.spyOn(diag, 'error').mockImplementation(() => undefined);
    try {
      const stream = new GenAiStream(throwingMetrics(), 'chat', 'llama3.2', 0, undefined);
      const chunk = { model: 'llama3.2', message: { content: 'hi' } };
      stream.first(chunk, 10);
      expect(() => stream.chunk(chunk, 20)).not.toThrow();
      expect(error).toHaveBeenCalledWith(expect.stringContaining('ollama GenAI metrics'), expect.any(Error));
    } finally {
      error.mockRestore();
    }
  });
});
