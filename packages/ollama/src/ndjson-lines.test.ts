import { describe, expect, it, vi } from 'vitest';
import { type BodyFlow, LineReader, PENDING } from './ndjson-lines.js';

/** A body's flow control that records what the reader asked of it. */
function recordingFlow(): BodyFlow & { calls: string[]; paused: boolean } {
  const flow = {
    calls: [] as string[],
    paused: false,
    pause() {
      flow.calls.push('pause');
      flow.paused = true;
    },
    resume() {
      flow.calls.push('resume');
      flow.paused = false;
    },
    cancel(reason: Error) {
      flow.calls.push(`cancel: ${reason.message}`);
    },
  };
  return flow;
}

/** The next line as a stream reads it: poll, and wait for news when none is there yet. */
async function nextLine(reader: LineReader): Promise<string | undefined> {
  for (;;) {
    const line = reader.poll();
    if (line !== PENDING) return line;
    await reader.ready();
  }
}

async function all(reader: LineReader): Promise<string[]> {
  const lines: string[] = [];
  for (let line = await nextLine(reader); line !== undefined; line = await nextLine(reader)) lines.push(line);
  return lines;
}

describe('LineReader', () => {
  it('splits lines across chunks, multi-byte characters included, and keeps a last unterminated line', async () => {
    const reader = new LineReader(recordingFlow());
    const bytes = Buffer.from('{"a":"é€"}\n{"b":2}\n\n{"c":"😀"}');
    for (let i = 0; i < bytes.length; i += 3) reader.push(bytes.subarray(i, i + 3));
    reader.end();
    expect(await all(reader)).toEqual(['{"a":"é€"}', '{"b":2}', '', '{"c":"😀"}']);
  });

  it('wakes a reader waiting for the next line when it arrives', async () => {
    const reader = new LineReader(recordingFlow());
    const next = nextLine(reader);
    setImmediate(() => reader.push(Buffer.from('late\n')));
    expect(await next).toBe('late');
  });

  it('pauses a fast body once and resumes it when drained', async () => {
    const flow = recordingFlow();
    const reader = new LineReader(flow);
    reader.push(Buffer.from('x\n'.repeat(300)));
    reader.push(Buffer.from('x\n'.repeat(10)));
    expect(flow.calls).toEqual(['pause']);
    reader.push(Buffer.from('y\n'));
    reader.end();
    const lines = await all(reader);
    expect(lines).toHaveLength(311);
    expect(flow.calls).toEqual(['pause', 'resume']);
    expect(flow.paused).toBe(false);
  });

  it("reads the lines queued before the body's error, then rejects with it", async () => {
    const reader = new LineReader(recordingFlow());
    reader.push(Buffer.from('a\n'));
    reader.fail(new Error('boom'));
    expect(await nextLine(reader)).toBe('a');
    await expect(nextLine(reader)).rejects.toThrow('boom');
  });

  it('cancels a body whose line outgrows the limit, with the start of the line in the error', async () => {
    const flow = recordingFlow();
    const reader = new LineReader(flow);
    const chunk = Buffer.alloc(1024 * 1024, 'z');
    for (let i = 0; i < 17; i++) reader.push(chunk);
    await expect(nextLine(reader)).rejects.toMatchObject({
      code: 'ERR_SIGHTGLASS_OLLAMA_MALFORMED_RESPONSE',
      message: expect.stringContaining('zzz'),
    });
    expect(flow.calls).toHaveLength(1);
    expect(flow.calls[0]).toMatch(/^cancel: /);
  });

  it('ignores what comes after drain() or cancel(), and resumes a paused body to drain it', () => {
    const flow = recordingFlow();
    const reader = new LineReader(flow);
    reader.push(Buffer.from('x\n'.repeat(300)));
    reader.drain();
    reader.push(Buffer.from('ignored\n'));
    expect(reader.poll()).toBe('x');
    expect(flow.calls).toEqual(['pause', 'resume']);
    reader.cancel(new Error('left'));
    expect(flow.calls).toEqual(['pause', 'resume', 'cancel: left']);
  });
});

describe('LineReader arrival times', () => {
  it('stamps each line when its last byte arrived, not when it is polled; the end and a failure too', () => {
    const now = vi.spyOn(performance, 'now');
    try {
      const reader = new LineReader(recordingFlow());
      now.mockReturnValue(10);
      reader.push(Buffer.from('{"a":1}\n{"b":'));
      now.mockReturnValue(20);
      reader.push(Buffer.from('2}\n{"c":3}\n{"d"'));
      now.mockReturnValue(30);
      reader.end();
      now.mockReturnValue(99); // polled much later
      expect([reader.poll(), reader.arrivedMs]).toEqual(['{"a":1}', 10]);
      expect([reader.poll(), reader.arrivedMs]).toEqual(['{"b":2}', 20]);
      expect([reader.poll(), reader.arrivedMs]).toEqual(['{"c":3}', 20]);
      expect([reader.poll(), reader.arrivedMs]).toEqual(['{"d"', 30]);
      expect(reader.failedAtMs).toBeUndefined();

      const failing = new LineReader(recordingFlow());
      now.mockReturnValue(40);
      failing.fail(new Error('reset'));
      now.mockReturnValue(50);
      failing.fail(new Error('later')); // the first failure stays
      now.mockReturnValue(99);
      expect(() => failing.poll()).toThrow('reset');
      expect([failing.arrivedMs, failing.failedAtMs]).toEqual([40, 40]);
    } finally {
      now.mockRestore();
    }
  });
});
