import { describe, expect, it } from 'vitest';
import { FakeOllamaErrorCode } from './errors.js';
import {
  type ChunkFaultPlan,
  DEFAULT_FAULT_MESSAGE,
  DEFAULT_FAULT_PATHS,
  FaultController,
  SERVER_BUSY_MESSAGE,
} from './faults.js';

const failing = (controller: FaultController, count: number, path = '/api/chat'): boolean[] =>
  Array.from({ length: count }, () => {
    const decision = controller.decide(path);
    return decision?.error !== undefined || decision?.chunks !== undefined;
  });

describe('FaultController', () => {
  it('injects nothing until set, and nothing after clear', () => {
    const faults = new FaultController();
    expect(faults.current).toBeUndefined();
    expect(faults.decide('/api/chat')).toBeUndefined();
    faults.set({ errorStatus: 500 });
    expect(faults.decide('/api/chat')?.error).toEqual({ status: 500, message: DEFAULT_FAULT_MESSAGE });
    faults.clear();
    expect(faults.decide('/api/chat')).toBeUndefined();
  });

  it('applies to the inference paths by default, or to the paths given', () => {
    const faults = new FaultController({ errorStatus: 500 });
    expect(faults.current).toEqual({ paths: [...DEFAULT_FAULT_PATHS], errorRate: 1, errorStatus: 500 });
    expect(faults.decide('/api/tags')).toBeUndefined();
    faults.set({ errorStatus: 502, paths: ['/api/tags'] });
    expect(faults.decide('/api/tags')?.error?.status).toBe(502);
    expect(faults.decide('/api/chat')).toBeUndefined();
  });

  it('spreads errorRate evenly and deterministically, starting with the first request', () => {
    const faults = new FaultController({ errorStatus: 500, errorRate: 0.25 });
    expect(failing(faults, 8)).toEqual([true, false, false, false, true, false, false, false]);
    faults.set({ errorStatus: 500, errorRate: 0.5 });
    expect(failing(faults, 4)).toEqual([true, false, true, false]);
    faults.set({ errorStatus: 500, errorRate: 0.1 });
    expect(failing(faults, 30).filter(Boolean)).toHaveLength(3);
    faults.set({ errorStatus: 500, errorRate: 0 });
    expect(failing(faults, 5)).toEqual([false, false, false, false, false]);
  });

  it('adds latency to every matching request, failing or not', () => {
    const faults = new FaultController({ addedLatencyMs: 50, errorStatus: 500, errorRate: 0.5 });
    expect(faults.decide('/api/chat')).toMatchObject({ latencyMs: 50, error: { status: 500 } });
    expect(faults.decide('/api/chat')).toEqual({ latencyMs: 50 });
  });

  it("says Ollama's busy words for an injected 503, or the given message", () => {
    const faults = new FaultController({ errorStatus: 503 });
    expect(faults.decide('/api/chat')?.error?.message).toBe(SERVER_BUSY_MESSAGE);
    faults.set({ errorStatus: 429, errorMessage: 'slow down' });
    expect(faults.decide('/api/chat')?.error).toEqual({ status: 429, message: 'slow down' });
  });

  it('plans chunk faults by line, the most drastic winning a tie', () => {
    const faults = new FaultController({
      malformedAfterChunks: 1,
      errorLineAfterChunks: 3,
      stallAfterChunks: 3,
    });
    const decision = faults.decide('/api/generate');
    const plan = decision?.chunks as ChunkFaultPlan;
    expect([0, 1, 2, 3, 4].map((i) => plan.at(i))).toEqual([
      undefined,
      'malformed',
      undefined,
      'stall',
      undefined,
    ]);
    expect(plan.errorMessage).toBe(DEFAULT_FAULT_MESSAGE);
    faults.set({ dropAfterChunks: 0, stallAfterChunks: 0 });
    expect(faults.decide('/api/generate')?.chunks?.at(0)).toBe('drop');
    faults.set({ addedLatencyMs: 1 });
    expect(faults.decide('/api/generate')).toEqual({ latencyMs: 1 });
  });

  it('rejects bad faults with ERR_FAKE_OLLAMA_INVALID_FAULT, naming the field', () => {
    const faults = new FaultController();
    const bad: Array<[unknown, RegExp]> = [
      [{ errorStatus: 200 }, /faults.errorStatus must be an integer from 400 to 599, got 200/],
      [{ errorRate: 1.5 }, /faults.errorRate must be a number from 0 to 1/],
      [{ stallAfterChunks: -1 }, /faults.stallAfterChunks must be an integer at least 0/],
      [{ dropAfterChunks: 1.5 }, /faults.dropAfterChunks/],
      [{ addedLatencyMs: 'x' }, /faults.addedLatencyMs must be a number .* got "x"/],
      [{ errorMessage: 3 }, /faults.errorMessage must be a string/],
      [{ paths: ['api/chat'] }, /must start with "\/"/],
      [{ paths: 'x' }, /faults.paths must be an array of non-empty strings/],
      [{ errorRatio: 1 }, /no option "errorRatio"/],
      [null, /faults must be an object, got null/],
    ];
    for (const [config, message] of bad) {
      expect(() => faults.set(config as never)).toThrow(message);
      expect(() => faults.set(config as never)).toThrow(
        expect.objectContaining({ code: FakeOllamaErrorCode.INVALID_FAULT, name: 'FakeOllamaConfigError' }),
      );
    }
  });
});
