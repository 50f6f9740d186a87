import {
  type HealthEndpointOptions,
  healthResponse,
  livenessResponse,
  readinessResponse,
  validateHealthEndpointOptions,
} from './health-response.js';
import {
  type HttpResponseParts,
  type MetricsHandlerOptions,
  metricsResponse,
  type ScrapeRequest,
} from './metrics-response.js';

/** The part of a Fastify reply the plugin uses (so Fastify's types are not needed to compile against it). */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(headers: Record<string, string>): FastifyReplyLike;
  send(body: string | Buffer): FastifyReplyLike;
}

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLike {
  get(
    path: string,
    handler: (request: ScrapeRequest & { method: string }, reply: FastifyReplyLike) => Promise<unknown>,
  ): unknown;
}

/** Options of {@link fastifyMetrics}. */
export interface FastifyMetricsOptions extends MetricsHandlerOptions {
  /**
   * Where to serve the exposition.
   * @default `/metrics`
   */
  path?: string;
}

/**
 * A Fastify plugin (tested with Fastify 5) that serves the exposition at `path` (HEAD is answered too).
 *
 * @example
 * await app.register(fastifyMetrics, { path: '/metrics' });
 */
export async function fastifyMetrics(
  fastify: FastifyLike,
  options: FastifyMetricsOptions = {},
): Promise<void> {
  fastify.get(options.path ?? '/metrics', async (request, reply) => {
    const parts = await metricsResponse(request, options);
    return reply.code(parts.status).headers(parts.headers).send(parts.body);
  });
}

// Register on the parent instance (like fastify-plugin) so the route is not hidden in an encapsulated child.
Object.assign(fastifyMetrics, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@sightglass/prometheus',
});

/** Options of {@link fastifyHealth}. */
export interface FastifyHealthOptions extends HealthEndpointOptions {
  /**
   * Paths of the three endpoints.
   * @default `/health`, `/livez`, `/readyz`
   */
  paths?: { health?: string; livez?: string; readyz?: string };
}

/**
 * A Fastify plugin serving `/health`, `/livez` and `/readyz`.
 *
 * @example
 * await app.register(fastifyHealth, { details: 'never' });
 */
export async function fastifyHealth(fastify: FastifyLike, options: FastifyHealthOptions = {}): Promise<void> {
  validateHealthEndpointOptions(options);
  const route = (path: string, respond: () => Promise<HttpResponseParts> | HttpResponseParts) =>
    fastify.get(path, async (_request, reply) => {
      const parts = await respond();
      return reply.code(parts.status).headers(parts.headers).send(parts.body);
    });
  route(options.paths?.health ?? '/health', () => healthResponse(options));
  route(options.paths?.livez ?? '/livez', livenessResponse);
  route(options.paths?.readyz ?? '/readyz', () => readinessResponse(options));
}

Object.assign(fastifyHealth, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@sightglass/prometheus health',
});
