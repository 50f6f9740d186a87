import { describe, expect, it } from 'vitest';
import { parseHost, resolveHost } from './host.js';
import { client, fakeOllama } from './test-support/servers.js';

describe('hosts, as the ollama package reads them', () => {
  it.each([
    [undefined, 'http://127.0.0.1:11434', ''],
    ['', 'http://127.0.0.1:11434', ''],
    ['example.com', 'http://example.com:11434', ''],
    ['example.com:8080', 'http://example.com:8080', ''],
    [':9000', 'http://127.0.0.1:9000', ''],
    ['http://example.com', 'http://example.com:80', ''],
    ['https://example.com/ollama/', 'https://example.com:443', '/ollama'],
    ['http://[::1]:11434', 'http://[::1]:11434', ''],
  ])('%s', (host, origin, basePath) => {
    expect(parseHost(host)).toMatchObject({ origin, basePath });
  });

  it('labels and basic auth', () => {
    expect(parseHost('http://[::1]:1234')).toMatchObject({ address: '::1', port: 1234 });
    expect(parseHost('http://user:p%40ss@h:1').authorization).toBe(
      `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
    );
  });

  it('rejects what is not an http(s) URL', () => {
    expect(() => parseHost('ftp://x')).toThrow(
      expect.objectContaining({ code: 'ERR_SIGHTGLASS_INVALID_URL' }),
    );
    expect(() => parseHost('http://exa mple')).toThrow(
      expect.objectContaining({ code: 'ERR_SIGHTGLASS_INVALID_URL' }),
    );
  });

  it('OLLAMA_HOST when no host is given', async () => {
    expect(resolveHost(undefined, { OLLAMA_HOST: '10.0.0.1:1' }).origin).toBe('http://10.0.0.1:1');
    expect(resolveHost('h:2', { OLLAMA_HOST: '10.0.0.1:1' }).origin).toBe('http://h:2');
    const server = await fakeOllama();
    const previous = process.env.OLLAMA_HOST;
    process.env.OLLAMA_HOST = `127.0.0.1:${server.port}`;
    try {
      expect(await client().version()).toEqual({ version: '0.32.15' });
    } finally {
      if (previous === undefined) delete process.env.OLLAMA_HOST;
      else process.env.OLLAMA_HOST = previous;
    }
  });
});
