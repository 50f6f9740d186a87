import { type Attributes, type Span, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { reportInstrumentationError } from './guard.js';
import { LabelGuard } from './label-guard.js';
import type { BoundHistogram } from './metric-group.js';

/**
 * Helpers the instrumentation packages share to record what they decided on the caller's span. Internal:
 * for Sightglass packages, not for applications. Each package keeps its own event and attribute names.
 *
 * The pattern, on every decision: `const span = recordingSpan(); if (span !== undefined) addSpanEvent(span,
 * …)`. Without a tracer provider, or when the active span is not recording, that is one context lookup and
 * nothing is allocated: attribute objects are built only after the check.
 */

/** The semantic conventions' `error.type` (stable): a short identifier of the failure, never a message. */
export const ATTR_ERROR_TYPE = 'error.type';

/** The `error.type` of a failure that is not an error object with a name or code (the conventions' fallback). */
export const ERROR_TYPE_OTHER = '_OTHER';

/** Error types are bounded as label values are: 128 characters, 100 distinct values, then `other`. */
const errorTypes = new LabelGuard();

/**
 * The active span when it is recording, else undefined. Never throws: a span implementation that fails on
 * `isRecording()` reads as not recording.
 */
export function recordingSpan(): Span | undefined {
  try {
    const span = trace.getActiveSpan();
    return span?.isRecording() ? span : undefined;
  } catch (error) {
    reportInstrumentationError('active span lookup', error);
    return undefined;
  }
}

/** `span.addEvent(name, attributes)`, with nothing it throws reaching the caller. */
export function addSpanEvent(span: Span, name: string, attributes: Attributes): void {
  try {
    span.addEvent(name, attributes);
  } catch (error) {
    reportInstrumentationError(`span event ${name}`, error);
  }
}

/**
 * The `error.type` of a failure: a string `code` (`ECONNREFUSED`, `ERR_SIGHTGLASS_CACHE_LOAD_TIMEOUT`), else a
 * specific `name` or class name (`DownstreamError`, `BrokenCircuitError`), else `Error` for a plain error and
 * `_OTHER` for anything else. Bounded like a label value; never a message.
 */
export function spanErrorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return ERROR_TYPE_OTHER;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && code !== '') return errorTypes.value(code);
  if (typeof name === 'string' && name !== '' && name !== 'Error') return errorTypes.value(name);
  // cockatiel's errors keep `name` as `Error`: their class says what they are.
  const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof className === 'string' && className !== '' && className !== 'Object') {
    return errorTypes.value(className);
  }
  return error instanceof Error ? 'Error' : ERROR_TYPE_OTHER;
}

/**
 * The span's context when it is sampled (its trace reaches a backend), else undefined: what an exemplar
 * may point at. An unsampled span's trace is never exported, so an exemplar naming it would lead nowhere.
 * Never throws.
 */
export function sampledSpanContext(span: Span | undefined): SpanContext | undefined {
  if (span === undefined) return undefined;
  try {
    const spanContext = span.spanContext();
    return (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 ? spanContext : undefined;
  } catch (error) {
    reportInstrumentationError('span context lookup', error);
    return undefined;
  }
}

/**
 * Records `value` into a histogram series, with `span` as its bucket's exemplar when the span is sampled
 * (see {@link sampledSpanContext}); without a span, or with one not sampled, exactly `record(value)`.
 */
export function recordWithSpan(histogram: BoundHistogram, value: number, span: Span | undefined): void {
  const spanContext = span === undefined ? undefined : sampledSpanContext(span);
  if (spanContext === undefined) histogram.record(value);
  else histogram.recordExemplar(value, spanContext.traceId, spanContext.spanId);
}
