import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from './demo-args.js';

describe('parseDemoArgs', () => {
  it('defaults to a 60 s demo at 20 req/s on the fake Ollama', () => {
    expect(parseDemoArgs([])).toEqual({
      compare: false,
      durationSeconds: 60,
      rate: 20,
      concurrency: 16,
      ollamaUrl: undefined,
      models: { model: 'llama3.2', embedModel: 'nomic-embed-text' },
      port: 0,
      help: false,
    });
  });

  it('reads every flag, and PORT', () => {
    const args = parseDemoArgs(
      [
        '--compare',
        '--duration',
        '30',
        '--rate',
        '5',
        '--concurrency',
        '4',
        '--ollama-url',
        'http://gpu:11434',
        '--model',
        'mistral',
        '--embed-model',
        'mxbai',
      ],
      { PORT: '8081' },
    );
    expect(args).toMatchObject({
      compare: true,
      durationSeconds: 30,
      rate: 5,
      concurrency: 4,
      ollamaUrl: 'http://gpu:11434',
      models: { model: 'mistral', embedModel: 'mxbai' },
      port: 8081,
    });
    expect(parseDemoArgs(['-h']).help).toBe(true);
  });

  it('says which argument is wrong', () => {
    expect(() => parseDemoArgs(['--duration', 'long'])).toThrow('--duration must be a number from 4');
    expect(() => parseDemoArgs(['--duration', '2'])).toThrow('--duration');
    expect(() => parseDemoArgs(['--rate', '0'])).toThrow('--rate');
    expect(() => parseDemoArgs(['--ollama-url', 'localhost:11434'])).toThrow('http(s) URL');
    expect(() => parseDemoArgs([], { PORT: 'x' })).toThrow('PORT');
    expect(() => parseDemoArgs(['--fast'])).toThrow(/--fast/);
  });
});
