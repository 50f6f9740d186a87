import { describe, expect, it } from 'vitest';
import { FakeOllamaErrorCode } from './errors.js';
import { DEFAULT_MODELS, DEFAULT_OLLAMA_VERSION, resolveOptions } from './options.js';

const now = new Date('2025-01-02T03:04:05Z');

describe('resolveOptions', () => {
  it('fills in defaults that suit a demo', () => {
    const options = resolveOptions(undefined, now);
    expect(options).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      seed: 0,
      tokensPerSecond: 50,
      ttftMs: 100,
      tokensPerAnswer: 32,
      loadDurationMs: 0,
      parallel: 4,
      maxQueue: 512,
      version: DEFAULT_OLLAMA_VERSION,
      admin: false,
      faults: undefined,
    });
    expect(options.models.map((m) => m.name)).toEqual(DEFAULT_MODELS.map((m) => m.name));
    expect(options.models[0]!.modifiedAt).toBe(now);
  });

  it('completes a model from its name alone, with a stable digest', () => {
    const [model] = resolveOptions({ models: [{ name: 'me/coder' }] }, now).models;
    expect(model).toEqual({
      name: 'me/coder:latest',
      key: 'me/coder:latest',
      size: 2019393189,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      modifiedAt: now,
      family: 'llama',
      families: ['llama'],
      parameterSize: '3.2B',
      quantizationLevel: 'Q4_K_M',
      format: 'gguf',
      embeddingLength: 3072,
      contextLength: 131072,
      capabilities: ['completion'],
    });
    expect(resolveOptions({ models: [{ name: 'me/coder' }] }, now).models[0]!.digest).toBe(model!.digest);
  });

  it('takes every model field given', () => {
    const digest = 'a'.repeat(64);
    const [model] = resolveOptions(
      {
        models: [
          {
            name: 'tiny:1b',
            size: 10,
            digest: `sha256:${digest}`,
            modifiedAt: '2024-01-01T00:00:00Z',
            family: 'gemma',
            families: ['gemma', 'clip'],
            parameterSize: '1B',
            quantizationLevel: 'Q8_0',
            format: 'safetensors',
            embeddingLength: 16,
            contextLength: 4096,
            capabilities: ['completion', 'vision'],
          },
        ],
      },
      now,
    ).models;
    expect(model).toMatchObject({
      digest,
      modifiedAt: new Date('2024-01-01T00:00:00Z'),
      families: ['gemma', 'clip'],
    });
  });

  it.each([
    [
      { port: 70000 },
      FakeOllamaErrorCode.INVALID_OPTION,
      'port must be an integer from 0 to 65535, got 70000',
    ],
    [{ port: '1' }, FakeOllamaErrorCode.INVALID_OPTION, 'port must be an integer from 0 to 65535, got "1"'],
    [{ seed: 1.5 }, FakeOllamaErrorCode.INVALID_OPTION, 'seed must be an integer, got 1.5'],
    [{ ttftMs: -1 }, FakeOllamaErrorCode.INVALID_OPTION, 'ttftMs must be a number from 0 to 3600000, got -1'],
    [
      { parallel: 0 },
      FakeOllamaErrorCode.INVALID_OPTION,
      'parallel must be an integer from 1 to 10000, got 0',
    ],
    [
      { tokensPerAnswer: Number.NaN },
      FakeOllamaErrorCode.INVALID_OPTION,
      'tokensPerAnswer must be an integer',
    ],
    [{ host: '' }, FakeOllamaErrorCode.INVALID_OPTION, 'host must be a non-empty string, got ""'],
    [{ admin: 'yes' }, FakeOllamaErrorCode.INVALID_OPTION, 'admin must be a boolean, got "yes"'],
    [{ ttft: 5 }, FakeOllamaErrorCode.INVALID_OPTION, 'has no option "ttft"'],
    [{ models: [] }, FakeOllamaErrorCode.INVALID_OPTION, 'models must be a non-empty array, got an array'],
    [
      { models: [{ size: 1 }] },
      FakeOllamaErrorCode.INVALID_MODEL,
      'models[0].name must be a string, got undefined',
    ],
    [
      { models: [{ name: 'a b' }] },
      FakeOllamaErrorCode.INVALID_MODEL,
      'models[0].name "a b" is not a valid Ollama model name',
    ],
    [
      { models: [{ name: 'a' }, { name: 'A:latest' }] },
      FakeOllamaErrorCode.INVALID_MODEL,
      'models has "A:latest" twice',
    ],
    [
      { models: [{ name: 'a', digest: 'xyz' }] },
      FakeOllamaErrorCode.INVALID_MODEL,
      'models[0].digest must be 64 lower-case hex digits',
    ],
    [
      { models: [{ name: 'a', modifiedAt: 'soon' }] },
      FakeOllamaErrorCode.INVALID_MODEL,
      'models[0].modifiedAt must be a Date',
    ],
    [
      { models: [{ name: 'a', modifiedAt: 5 }] },
      FakeOllamaErrorCode.INVALID_MODEL,
      'models[0].modifiedAt must be a Date',
    ],
    [
      { models: [{ name: 'a', families: [1] }] },
      FakeOllamaErrorCode.INVALID_MODEL,
      'models[0].families must be an array of non-empty strings, got an array',
    ],
    [
      { models: [{ name: 'a', colour: 'red' }] },
      FakeOllamaErrorCode.INVALID_MODEL,
      'models[0] has no option "colour"',
    ],
    [{ models: ['a'] }, FakeOllamaErrorCode.INVALID_MODEL, 'models[0] must be an object, got "a"'],
  ])('rejects %j with %s', (options, code, message) => {
    expect(() => resolveOptions(options as never)).toThrow(expect.objectContaining({ code }));
    expect(() => resolveOptions(options as never)).toThrow(message);
  });
});
