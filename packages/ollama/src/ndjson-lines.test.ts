import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineReader } from './ndjson-lines.js';

async function all(reader: LineReader): Promise<string[]> {
  const lines: string[] = [];
  for (let line = await reader.next(); line !== undefined; line = await reader.next()) lines.push(line);
  return lines;
}

describe('LineReader', () => {
  it('splits lines across chunks, multi-byte characters included, and keeps a last unterminated line', async () => {
    const body = new PassThrough();
    const reader = new LineReader(body);
    const bytes = Buffer.from('{"a":"é€"}\n{"b":2}\n\n{"c":"😀"}');
    for (let i = 0; i < bytes.length; i += 3) body.write(bytes.subarray(i, i + 3));
    body.end();
    expect(await all(reader)).toEqual(['{"a":"é€"}', '{"b":2}', '', '{"c":"😀"}']);
  });

  it('pauses a fast body and resumes it when drained', async () => {
    const body = new PassThrough();
    const reader = new LineReader(body);
    body.write(`${'x\n'.repeat(300)}`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.isPaused()).toBe(true);
    body.end('y\n');
    const lines = await all(reader);
    expect(lines).toHaveLength(301);
    expect(body.isPaused()).toBe(false);
  });

  it("rejects with the body's error", async () => {
    const body = new PassThrough();
    const reader = new LineReader(body);
    body.write('a\n');
    body.destroy(new Error('boom'));
    expect(await reader.next()).toBe('a');
    await expect(reader.next()).rejects.toThrow('boom');
  });
});
