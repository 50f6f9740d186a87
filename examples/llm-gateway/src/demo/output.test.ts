import { describe, expect, it } from 'vitest';
import { collectingOutput } from '../test-support/sink.js';
import { ProgressLine } from './output.js';

describe('ProgressLine', () => {
  it('redraws one line in place on a terminal, with events printed above it', () => {
    const out = collectingOutput(true);
    const line = new ProgressLine(out);
    line.update('10%');
    line.update('20%');
    line.event('⚡ breaker OPEN');
    line.finish('100%');
    expect(out.text).toBe('\r10%\x1b[K\r20%\x1b[K\r⚡ breaker OPEN\x1b[K\n20%\x1b[K\r100%\x1b[K\n');
  });

  it('cuts a live line to the terminal width, since a wrapped line cannot be redrawn in place', () => {
    const out = { ...collectingOutput(true), columns: 8 };
    let written = '';
    out.write = (chunk: string) => {
      written += chunk;
      return true;
    };
    const line = new ProgressLine(out);
    line.update('0123456789');
    line.finish('0123456789');
    expect(written).toBe('\r012345…\x1b[K\r0123456789\x1b[K\n');
  });

  it('prints plain lines now and then into a log', () => {
    const out = collectingOutput(false);
    const line = new ProgressLine(out, 60_000);
    line.update('10%');
    line.update('20%'); // too soon after the last one
    line.event('⚡ breaker OPEN');
    line.finish('100%');
    expect(out.text).toBe('10%\n⚡ breaker OPEN\n100%\n');
  });
});
