import type { FakeOllama } from '@sightglass/fake-ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../gateway.js';
import { startTestGateway, startTestOllama } from '../test-support/fixture.js';
import { fitsForecast, getWeather, runShowcase, showcaseChecks } from './showcase.js';

describe('the showcase through the gateway, on the fake Ollama', () => {
  let ollama: FakeOllama;
  let gateway: Gateway;
  let url: string;
  const printed: string[][] = [];
  const print = (lines: readonly string[]) => printed.push([...lines]);

  beforeAll(async () => {
    ollama = await startTestOllama();
    ({ gateway, url } = await startTestGateway('showcase', ollama.url));
  });
  afterAll(async () => {
    await gateway?.close();
    await ollama?.close();
  });

  it('shows the tool call round the loop and a structured answer, and prints them', async () => {
    printed.length = 0;
    const result = await runShowcase(url, 'llama3.2', print, new AbortController().signal);
    expect(result.toolCall).toEqual({
      name: 'get_weather',
      arguments: { city: expect.stringMatching(/^(Paris|Lisbon|Oslo)$/) },
      result: expect.objectContaining({ celsius: expect.any(Number) }),
      answer: expect.stringMatching(/\S/),
    });
    expect(result.structured).toEqual({ value: expect.any(Object), fits: true });
    expect(printed.flat().join('\n')).toMatch(/tool call {3}model → get_weather\(\{"city":"\w+"\}\)/);
    expect(printed.flat().join('\n')).toContain('(parsed, fits the schema)');
    expect(showcaseChecks(result).map((check) => [check.claim, check.ok])).toEqual([
      ['a tool call went round the loop', true],
      ['the structured answer fits its schema', true],
    ]);
  });

  it('leaves out what the model refuses (gemma3 has no tools), as no failure of the gateway', async () => {
    printed.length = 0;
    const result = await runShowcase(url, 'gemma3', print, new AbortController().signal);
    expect(result.toolCall).toEqual({
      skipped: '400 capability_unsupported: registry.ollama.ai/library/gemma3:latest does not support tools',
      excused: true,
    });
    expect(printed[0]).toEqual([
      'tool call   not shown: 400 capability_unsupported: registry.ollama.ai/library/gemma3:latest does not support tools',
    ]);
    expect(showcaseChecks(result).map((check) => check.claim)).toEqual([
      'the structured answer fits its schema',
    ]);
  });

  it('fails its claims when the gateway cannot be reached, and excuses Ctrl-C', async () => {
    const down = await runShowcase('http://127.0.0.1:9', 'llama3.2', () => {}, new AbortController().signal);
    expect(down.toolCall).toMatchObject({ skipped: expect.stringContaining('failed:'), excused: false });
    expect(showcaseChecks(down).map((check) => check.ok)).toEqual([false, false]);

    const interrupt = new AbortController();
    interrupt.abort();
    const interrupted = await runShowcase(url, 'llama3.2', () => {}, interrupt.signal);
    expect(interrupted).toEqual({
      toolCall: { skipped: 'interrupted', excused: true },
      structured: { skipped: 'interrupted', excused: true },
    });
    expect(showcaseChecks(interrupted)).toEqual([]);
  });
});

describe('the pieces', () => {
  it('getWeather answers from its table, and something for a city it does not know', () => {
    expect(getWeather({ city: 'Oslo' })).toEqual({ celsius: 6, conditions: 'rain' });
    expect(getWeather({})).toEqual({ celsius: 15, conditions: 'cloudy' });
  });

  it.each([
    [{ city: 'Oslo', celsius: 4.5, conditions: 'rain' }, true],
    [{ city: 'Oslo', celsius: '4', conditions: 'rain' }, false],
    [{ city: 'Oslo', celsius: 4, conditions: 'snow' }, false],
    [null, false],
    ['{}', false],
  ])('fitsForecast(%j) is %s', (value, fits) => {
    expect(fitsForecast(value)).toBe(fits);
  });

  it('a structured answer that does not fit is a failed claim', () => {
    const checks = showcaseChecks({
      toolCall: { skipped: 'x', excused: true },
      structured: { value: 'plain text', fits: false },
    });
    expect(checks).toEqual([
      { claim: 'the structured answer fits its schema', ok: false, detail: 'not an object' },
    ]);
  });
});
