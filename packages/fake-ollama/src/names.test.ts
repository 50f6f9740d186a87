import { describe, expect, it } from 'vitest';
import { fullModelName, parseModelName } from './names.js';

describe('parseModelName', () => {
  it('fills in the default tag, namespace and host, and compares without case', () => {
    expect(parseModelName('llama3.2')).toEqual({ display: 'llama3.2:latest', key: 'llama3.2:latest' });
    expect(parseModelName(' library/llama3.2:latest ')?.display).toBe('llama3.2:latest');
    expect(parseModelName('registry.ollama.ai/library/llama3.2')?.display).toBe('llama3.2:latest');
    expect(parseModelName('LLAMA3.2:3B')).toEqual({ display: 'LLAMA3.2:3B', key: 'llama3.2:3b' });
  });

  it('keeps a namespace or a host that is not the default', () => {
    expect(parseModelName('me/coder:7b')?.display).toBe('me/coder:7b');
    expect(parseModelName('example.com:5000/team/coder')?.display).toBe('example.com:5000/team/coder:latest');
  });

  it('rejects names Ollama would call invalid', () => {
    for (const bad of ['', ' ', 'a/b/c/d', 'model:', ':tag', 'mo del', '-x', 'a//b', 'x'.repeat(81)]) {
      expect(parseModelName(bad)).toBeUndefined();
    }
  });
});

describe('fullModelName', () => {
  it('names a model as Ollama does in its capability errors, host and namespace included', () => {
    expect(fullModelName('gemma3')).toBe('registry.ollama.ai/library/gemma3:latest');
    expect(fullModelName('me/coder:7b')).toBe('registry.ollama.ai/me/coder:7b');
    expect(fullModelName('example.com:5000/team/coder')).toBe('example.com:5000/team/coder:latest');
  });
});
