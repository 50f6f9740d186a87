import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RequestMeasurement, type RequestMetricsOptions, RequestRecorder } from './request-recorder.js';
import { methodLabel, pathOf } from './route.js';

/** The parts of a Fastify instance and request the plugin uses (Fastify's types are not needed). */
interface FastifyRequestLike {
  raw: IncomingMessage;
  routeOptions?: { url?: string };
}
interface FastifyReplyLike {
  raw: ServerResponse;
  statusCode: number;
}
interface FastifyLike {
  addHook(
    name: 'onRequest' | 'onResponse',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void,
  ): unknown;
  addHook(name: 'onRequestAbort', hook: (request: FastifyRequestLike, done: () => void) => void): unknown;
  addHook(name: 'onClose', hook: (instance: unknown, done: () => void) => void): unknown;
}

/**
 * A Fastify plugin measuring every request under its route template (`request.routeOptions.url`, e.g.
 * `/users/:id`); a request no route matched is `unmatched`.
 *
 * @example
 * await app.register(fastifyRequestMetrics, { ignorePaths: ['/metrics'] });
 */
export async function fastifyRequestMetrics(
  fastify: FastifyLike,
  options: RequestMetricsOptions = {},
): Promise<void> {
  const recorder = new RequestRecorder(options);
  // Fastify's own hooks end the measurement (they also run under `inject`, which emits no `close`).
  const measurements = new WeakMap<object, RequestMeasurement>();
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (!recorder.ignoresAny || !recorder.ignores(pathOf(request.raw.url))) {
      measurements.set(request, recorder.start(methodLabel(request.raw.method), request.routeOptions?.url));
    }
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    measurements.get(request)?.finish(reply.statusCode, false);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    measurements.get(request)?.finish(0, true);
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
