import { describe, expect, it } from 'vitest';
import { cacheKey } from '../cache-key.js';
import { commonRequests } from '../common-prompts.js';
import { createTraffic, trendingRequests } from './traffic.js';

const models = { model: 'llama3.2', embedModel: 'nomic-embed-text' };

describe('traffic', () => {
  it('is the same sequence for the same seed', () => {
    const take = (seed: number) => {
      const next = createTraffic({ models, popular: commonRequests(models), uniqueShare: 0.3, seed });
      return Array.from({ length: 50 }, () => cacheKey(next()));
    };
    expect(take(5)).toEqual(take(5));
    expect(take(5)).not.toEqual(take(6));
  });

  it('repeats the popular set about as often as asked, and makes every one-off request unique', () => {
    const popular = commonRequests(models);
    const popularKeys = new Set(popular.map(cacheKey));
    const next = createTraffic({ models, popular, uniqueShare: 0.3, seed: 1 });
    const keys = Array.from({ length: 2000 }, () => cacheKey(next()));
    const oneOff = keys.filter((key) => !popularKeys.has(key));
    expect(oneOff.length / keys.length).toBeGreaterThan(0.25);
    expect(oneOff.length / keys.length).toBeLessThan(0.35);
    expect(new Set(oneOff).size).toBe(oneOff.length);
    expect(new Set(keys.map((key) => key.split(':')[0]))).toEqual(new Set(['chat', 'generate', 'embed']));
  });

  it('makes as many trending requests as asked, none of them common', () => {
    const trending = trendingRequests(models, 10);
    expect(trending).toHaveLength(10);
    expect(new Set(trending.map(cacheKey)).size).toBe(10);
    const common = new Set(commonRequests(models).map(cacheKey));
    expect(trending.some((request) => common.has(cacheKey(request)))).toBe(false);
  });

  it('sends only one-off requests without a popular set', () => {
    const next = createTraffic({ models, popular: [], uniqueShare: 0 });
    expect(cacheKey(next())).not.toBe(cacheKey(next()));
  });
});
