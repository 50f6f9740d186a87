import { describe, expect, it } from 'vitest';
import { embedText, normalize, truncateEmbedding } from './embedding.js';

const norm = (v: number[]): number => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
const cosine = (a: number[], b: number[]): number => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('embedText', () => {
  it('gives the same unit vector for the same text and model', () => {
    const a = embedText('m', 'Why is the sky blue?', 64);
    expect(a).toHaveLength(64);
    expect(norm(a)).toBeCloseTo(1, 6);
    expect(embedText('m', 'Why is the sky blue?', 64)).toEqual(a);
    expect(embedText('other', 'Why is the sky blue?', 64)).not.toEqual(a);
  });

  it('puts texts that share words closer than unrelated texts', () => {
    const sky = embedText('m', 'why is the sky blue', 256);
    const reordered = embedText('m', 'The sky is blue why', 256);
    const punctuated = embedText('m', 'The sky is blue, why?', 256);
    const grass = embedText('m', 'grass grows green in spring', 256);
    expect(cosine(sky, reordered)).toBeGreaterThan(0.999);
    expect(cosine(sky, punctuated)).toBeGreaterThan(0.7);
    expect(cosine(sky, grass)).toBeLessThan(0.5);
  });

  it('embeds empty and punctuation-only text too', () => {
    expect(norm(embedText('m', '', 8))).toBeCloseTo(1, 6);
    expect(norm(embedText('m', '?!', 8))).toBeCloseTo(1, 6);
  });
});

describe('normalize and truncateEmbedding', () => {
  it('leaves a zero vector zero', () => {
    expect(normalize([0, 0])).toEqual([0, 0]);
  });

  it('truncates to a smaller size and renormalizes, and ignores other sizes', () => {
    const v = embedText('m', 'hello', 16);
    const short = truncateEmbedding(v, 4);
    expect(short).toHaveLength(4);
    expect(norm(short)).toBeCloseTo(1, 6);
    expect(truncateEmbedding(v, undefined)).toBe(v);
    expect(truncateEmbedding(v, 0)).toBe(v);
    expect(truncateEmbedding(v, 16)).toBe(v);
    expect(truncateEmbedding(v, 99)).toBe(v);
  });
});
