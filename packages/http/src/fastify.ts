import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { type FastifyRequestLike, routeTemplateOf } from './fastify-internals.js';
import { contextManagerRegistered } from './otel-http-internals.js';
import { type RequestMetricsOptions, RequestRecorder } from './request-recorder.js';
import { methodLabel, pathOf } from './route.js';
import { OwnServerSpan, traceRequest } from './server-span.js';
import { endTracedRequest } from './track.js';

/** The parts of a Fastify request the plugin uses (Fastify's types are not needed to compile against it). */
export interface FastifyRequestWithRaw extends FastifyRequestLike {
  raw: IncomingMessage;
}
/** The part of a Fastify reply the plugin uses. */
export interface FastifyReplyLike {
  raw: ServerResponse;
}
export interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (request: FastifyRequestWithRaw, reply: FastifyReplyLike, done: () => void) => void,
  ): unknown;
  addHook(name: 'onClose', hook: (instance: unknown, done: () => void) => void): unknown;
}

/**
 * A Fastify plugin measuring every request under its route template (`/users/:id`); a request no route
 * matched is `unmatched`. A request ends when its response closes: after its last byte, or when the client
 * left before it ended (recorded as 499). It works under `inject` too, whose responses also close.
 * With `tracing`, the route is handed to instrumentation-http's server span, or, without one, the request's
 * hooks and handler run inside a server span of ours (see {@link RequestMetricsOptions}).
 *
 * @example
 * await app.register(fastifyRequestMetrics, { ignorePaths: ['/metrics'] });
 */
export async function fastifyRequestMetrics(
  fastify: FastifyLike,
  options: RequestMetricsOptions = {},
): Promise<void> {
  const recorder = new RequestRecorder(options);
  const tracing = options.tracing !== false;
  // One hook, and the request's state in the `close` listener's closure: Fastify's route is known in
  // onRequest already. (Three hooks and a WeakMap from request to measurement measured slower.)
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = request.raw;
    if (!recorder.ignoresAny || !recorder.ignores(pathOf(raw.url))) {
      const route = routeTemplateOf(request);
      const entry = recorder.enter(methodLabel(raw.method), route);
      const started = performance.now();
      const response = reply.raw;
      // "Left before the response ended" is read as `end()` not called yet: under `inject` a response
      // that ended never reads as flushed (`writableFinished` stays false), and it must keep its status.
      // Without an OpenTelemetry context manager (a metrics-only service), a property load or two.
      if (tracing && contextManagerRegistered(started)) {
        const traced = traceRequest(raw, route);
        // One listener records the request (its server span as the exemplar) and ends our span.
        response.on('close', () =>
          endTracedRequest(recorder, entry, started, response, response.writableEnded !== true, traced),
        );
        if (traced instanceof OwnServerSpan) {
          context.with(traced.context, done);
          return;
        }
      } else {
        response.on('close', () =>
          recorder.exit(entry, started, response.statusCode, response.writableEnded !== true, undefined),
        );
      }
    }
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    recorder.dispose();
    done();
  });
}

// Register on the parent instance (like fastify-plugin) so every route of the application is measured.
Object.assign(fastifyRequestMetrics, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@sightglass/http',
});
