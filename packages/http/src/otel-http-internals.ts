/**
 * The OpenTelemetry internals the tracing of @sightglass/http depends on, in this one module;
 * otel-http-internals.test.ts is their canary and fails if OpenTelemetry changes them.
 *
 * 1. RPC metadata. `@opentelemetry/instrumentation-http` (0.223 on the 2.x SDK line, 0.301 on 3.x) puts an
 *    object `{ type: 'http', span }` into the context of each incoming request, under the context key that
 *    `@opentelemetry/core`'s `setRPCMetadata` uses. When the response closes it reads
 *    `getRPCMetadata(context.active()).route` (in the context it bound the response to): that value becomes
 *    the server span's `http.route`, renames the span `METHOD route`, and is the `http.route` attribute of
 *    its `http.server.request.duration`. A library hands it the route by setting `route` on that object,
 *    as OpenTelemetry's own Express and Fastify instrumentations do. Setting the span attribute instead
 *    would reach the span, not the metric, and not the span's name. The key is made by `createContextKey`,
 *    which is `Symbol.for(description)`, so `@opentelemetry/api` alone reaches it (no dependency on core).
 * 2. The API's globals. `@opentelemetry/api` 1.x keeps what was registered (context manager, tracer
 *    provider, ...) on `globalThis[Symbol.for('opentelemetry.js.api.1')]`, one object shared by every copy
 *    of the API, created by the first registration and kept from then on (a deregistration deletes its
 *    field only). Reading it is the cheap way to know that nothing is registered: every `context.active()`
 *    costs a version check (about 70 ns measured), a request of a metrics-only service must not pay that.
 */
import { type Context, createContextKey, type Span } from '@opentelemetry/api';

/** The context key of `@opentelemetry/core`'s RPC metadata. */
export const RPC_METADATA_KEY = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA');

/** The RPC metadata of an incoming HTTP request (`RPCType.HTTP` is the string `http`). */
export interface HttpRpcMetadata {
  type: 'http';
  /** The request's server span. */
  span: Span;
  /** The route template, set by a framework's instrumentation once it knows it. */
  route?: string;
}

/** The HTTP RPC metadata in a context, if an HTTP instrumentation (or ours) put one there. */
export function httpRpcMetadata(context: Context): HttpRpcMetadata | undefined {
  const metadata = context.getValue(RPC_METADATA_KEY) as { type?: unknown } | undefined;
  return metadata?.type === 'http' ? (metadata as HttpRpcMetadata) : undefined;
}

/** A context with `metadata` as its HTTP RPC metadata (what instrumentation-http does for its own span). */
export function withHttpRpcMetadata(context: Context, metadata: HttpRpcMetadata): Context {
  return context.setValue(RPC_METADATA_KEY, metadata);
}

/** Where `@opentelemetry/api` 1.x keeps its process-wide registrations. */
export const API_GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');

/** The fields of the API's globals read here. */
interface ApiGlobals {
  /** The registered context manager, if any (`context.setGlobalContextManager`). */
  context?: unknown;
  /** The API's ProxyTracerProvider, once a tracer provider was registered (`trace.setGlobalTracerProvider`). */
  trace?: unknown;
}

/** How long a lookup that found no globals is trusted (ms): a miss on `globalThis` costs about 45 ns. */
const LOOKUP_INTERVAL_MS = 1000;

let globals: ApiGlobals | undefined;
let nextLookup = 0;

/**
 * Whether a context manager is registered, so that the active context can hold anything. `now` is the
 * request's `performance.now()`, read anyway. Once the API's globals exist this is one property load on
 * them; before that (nothing of OpenTelemetry registered at all) `globalThis` is looked up at most once a
 * second, so a context manager registered after the first request is seen within a second.
 */
export function contextManagerRegistered(now: number): boolean {
  if (globals !== undefined) return globals.context !== undefined;
  if (now < nextLookup) return false;
  nextLookup = now + LOOKUP_INTERVAL_MS;
  globals = (globalThis as { [API_GLOBAL_KEY]?: ApiGlobals })[API_GLOBAL_KEY];
  return globals !== undefined && globals.context !== undefined;
}

/**
 * The registered tracer provider (the API's proxy for it), or undefined when none was registered. Its spans
 * may still not record: a sampler decides. Call after {@link contextManagerRegistered} returned true.
 */
export function registeredTracerProvider(): unknown {
  return globals?.trace;
}

/** Forgets what the lookup found (tests that register OpenTelemetry globals after a request). */
export function resetGlobalsLookup(): void {
  globals = undefined;
  nextLookup = 0;
}
