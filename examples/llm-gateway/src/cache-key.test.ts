import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, normalizeModel } from './cache-key.js';

describe('normalizeModel', () => {
  it.each([
    ['llama3.2', 'llama3.2:latest'],
    ['llama3.2:latest', 'llama3.2:latest'],
    [' llama3.2:1b ', 'llama3.2:1b'],
    ['library/llama3.2', 'library/llama3.2:latest'],
    ['registry.local:5000/team/model', 'registry.local:5000/team/model:latest'],
    ['registry.local:5000/team/model:v2', 'registry.local:5000/team/model:v2'],
  ])('%s → %s', (model, normalized) => {
    expect(normalizeModel(model)).toBe(normalized);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });
});

describe('cacheKey', () => {
  const base = { kind: 'generate', body: { model: 'llama3.2', prompt: 'Why is the sky blue?' } } as const;

  it('is the kind and a SHA-256, never the prompt itself', () => {
    const key = cacheKey(base);
    expect(key).toMatch(/^generate:[0-9a-f]{64}$/);
    expect(key).not.toContain('sky');
  });

  it('is the same for the same request however it is written', () => {
    const reordered = {
      kind: 'generate',
      body: { prompt: 'Why is the sky blue?', model: 'llama3.2:latest' },
    } as const;
    expect(cacheKey(reordered)).toBe(cacheKey(base));
  });

  it('differs when anything that changes the answer differs', () => {
    const keys = new Set([
      cacheKey(base),
      cacheKey({ ...base, body: { ...base.body, prompt: 'Why is the sky red?' } }),
      cacheKey({ ...base, body: { ...base.body, model: 'mistral' } }),
      cacheKey({ ...base, body: { ...base.body, options: { temperature: 0 } } }),
      cacheKey({
        kind: 'chat',
        body: { model: 'llama3.2', messages: [{ role: 'user', content: base.body.prompt }] },
      }),
    ]);
    expect(keys.size).toBe(5);
  });
});
