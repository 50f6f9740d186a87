import { type Span, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { addSpanEvent, ERROR_TYPE_OTHER, recordingSpan, spanErrorType } from './span-events.js';

const SPAN_CONTEXT = { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 };

/** A span with some methods replaced, made active by replacing trace.getActiveSpan for one call. */
function fakeSpan(overrides: Partial<Span>): Span {
  return Object.assign(Object.create(trace.wrapSpanContext(SPAN_CONTEXT)) as Span, overrides);
}
function withActive<T>(span: Span, fn: () => T): T {
  const original = trace.getActiveSpan;
  trace.getActiveSpan = () => span;
  try {
    return fn();
  } finally {
    trace.getActiveSpan = original;
  }
}

describe('recordingSpan', () => {
  it('is undefined without an active span, and for one that is not recording', () => {
    expect(recordingSpan()).toBeUndefined();
    expect(withActive(trace.wrapSpanContext(SPAN_CONTEXT), recordingSpan)).toBeUndefined();
  });

  it('reads a span whose isRecording() throws as not recording', () => {
    const span = fakeSpan({
      isRecording: () => {
        throw new Error('broken span');
      },
    });
    expect(withActive(span, recordingSpan)).toBeUndefined();
  });

  it('returns the active span when it records', () => {
    const span = fakeSpan({ isRecording: () => true });
    expect(withActive(span, recordingSpan)).toBe(span);
  });
});

describe('addSpanEvent', () => {
  it('adds the event, and keeps what the span throws from the caller', () => {
    const events: string[] = [];
    addSpanEvent(
      fakeSpan({
        addEvent: (name: string) => {
          events.push(name);
          return undefined as never;
        },
      }),
      'sightglass.test',
      {},
    );
    expect(events).toEqual(['sightglass.test']);
    const throwing = fakeSpan({
      addEvent: () => {
        throw new Error('processor failed');
      },
    });
    expect(() => addSpanEvent(throwing, 'sightglass.test', { a: 1 })).not.toThrow();
  });
});

describe('spanErrorType', () => {
  class DownstreamError extends Error {
    override name = 'DownstreamError';
  }
  class Marked extends Error {}

  it('prefers a code, then a specific name, then the class', () => {
    expect(spanErrorType(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(spanErrorType(new DownstreamError('x'))).toBe('DownstreamError');
    expect(spanErrorType(new Marked('x'))).toBe('Marked');
    expect(spanErrorType(new Error('plain'))).toBe('Error');
    expect(spanErrorType(new TypeError('t'))).toBe('TypeError');
  });

  it('never returns a message, and falls back to _OTHER', () => {
    expect(spanErrorType('a secret message')).toBe(ERROR_TYPE_OTHER);
    expect(spanErrorType(undefined)).toBe(ERROR_TYPE_OTHER);
    expect(spanErrorType({})).toBe(ERROR_TYPE_OTHER);
    expect(spanErrorType(Object.create(null))).toBe(ERROR_TYPE_OTHER);
  });

  it('cuts a long name as a label value is cut', () => {
    expect(spanErrorType({ name: 'x'.repeat(500) })).toHaveLength(128);
  });
});
