import { type Tracer, trace } from '@opentelemetry/api';
import { GENAI_SEMCONV_VERSION, SIGHTGLASS_VERSION } from '@sightglass/core';
import { reportInstrumentationError } from '@sightglass/core/internal';

/** The instrumentation scope of the client's spans. */
export const TRACER_NAME = '@sightglass/ollama';

/** The semantic conventions the spans follow, as the scope's schema URL says it. */
const SCHEMA_URL = `https://opentelemetry.io/schemas/${GENAI_SEMCONV_VERSION}`;

/** What `trace.getTracerProvider()` returns: the API's ProxyTracerProvider (public since API 1.0). */
interface ProxyProvider {
  getDelegate(): unknown;
  getDelegateTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer | undefined;
}

let delegate: unknown;
let tracer: Tracer | undefined;

/**
 * The registered tracer provider's tracer for the client's spans, or undefined when no tracer provider is
 * registered: then a call makes no span at all (not even a no-op one) and builds no attribute. The API's
 * global provider is a proxy; its delegate is the SDK's provider once one is registered. The tracer is
 * looked up again only when that delegate changes, so a call pays the global lookup and one comparison.
 */
export function activeTracer(): Tracer | undefined {
  try {
    const provider = trace.getTracerProvider() as unknown as Partial<ProxyProvider>;
    if (typeof provider.getDelegate !== 'function' || typeof provider.getDelegateTracer !== 'function') {
      // A provider that is not the API's proxy (another registration path): it is a real one.
      return trace.getTracer(TRACER_NAME, SIGHTGLASS_VERSION);
    }
    const current = provider.getDelegate();
    if (current !== delegate) {
      delegate = current;
      tracer = provider.getDelegateTracer(TRACER_NAME, SIGHTGLASS_VERSION, { schemaUrl: SCHEMA_URL });
    }
    return tracer;
  } catch (error) {
    reportInstrumentationError('ollama tracer lookup', error);
    return undefined;
  }
}
