import { CATALOG, metricRegistry } from '@sightglass/core';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { fastifyRequestMetrics } from '../../fastify.js';
import { createFloor, PATH, ROUTE, type Variant } from './variant.js';

/**
 * The same application in every variant (Fastify's defaults: no logger), after `before` registers. Its
 * handler returns its answer from an async function, as Fastify's documentation writes them; a sync
 * handler calling `reply.send` measured 4–5% more CPU per request, so variants with different handlers
 * are not comparable.
 */
async function app(before?: (app: FastifyInstance) => Promise<void> | void): Promise<FastifyInstance> {
  const application = Fastify();
  await before?.(application);
  application.get(ROUTE, async () => 'hello');
  return application;
}

/** What fastify-metrics decorates the instance with (its types are not loaded in this file). */
interface FastifyMetricsInstance {
  metrics: {
    client: {
      register: {
        getSingleMetric(
          name: string,
        ): { get(): Promise<{ values: { metricName?: string; value: number }[] }> } | undefined;
      };
    };
  };
}

async function listen(application: FastifyInstance): Promise<string> {
  return `${await application.listen({ port: 0, host: '127.0.0.1' })}${PATH}`;
}

async function plain(): Promise<Variant> {
  const application = await app();
  return { listen: () => listen(application), recorded: () => 0 };
}

/** Fastify 5 servers: plain, the floor, ours, and the peer. */
export const variants: Record<string, () => Promise<Variant>> = {
  plain,
  async floor() {
    const floor = createFloor();
    const application = await app((instance) => {
      instance.addHook('onRequest', (_request, reply, done) => {
        floor.measure(reply.raw);
        done();
      });
    });
    return { listen: () => listen(application), recorded: () => floor.histogram.count };
  },
  async ours() {
    const application = await app(async (instance) => {
      await instance.register(fastifyRequestMetrics);
    });
    return {
      listen: () => listen(application),
      recorded: () =>
        metricRegistry().value(CATALOG.requests, { method: 'GET', route: ROUTE, status: '200' }) ?? 0,
    };
  },
  async 'fastify-metrics'() {
    const fastifyMetrics = (await import('fastify-metrics')).default as unknown as FastifyPluginAsync<{
      endpoint: null;
      defaultMetrics: { enabled: boolean };
    }>;
    const application = await app(async (instance) => {
      await instance.register(fastifyMetrics, { endpoint: null, defaultMetrics: { enabled: false } });
    });
    return {
      listen: () => listen(application),
      recorded: async () =>
        (
          (
            await (application as unknown as FastifyMetricsInstance).metrics.client.register
              .getSingleMetric('http_request_duration_seconds')
              ?.get()
          )?.values ?? []
        )
          .filter((value) => value.metricName?.endsWith('_count'))
          .reduce((sum, value) => sum + value.value, 0),
    };
  },
};
