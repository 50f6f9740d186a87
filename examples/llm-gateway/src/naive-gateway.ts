import { createServer, type Server } from 'node:http';
import { listen } from './listen.js';
import { createNaiveUpstream, type NaiveUpstream } from './naive-upstream.js';
import { createRouter } from './router.js';

/** The naive gateway: the same API and validation, without a pool, a cache, a breaker or metrics. */
export interface NaiveGateway {
  readonly server: Server;
  readonly upstream: NaiveUpstream;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The "before" that `pnpm demo --compare` measures: the gateway's routes on a naive upstream (see
 * {@link createNaiveUpstream}). Not something to deploy.
 */
export function createNaiveGateway(options: { ollamaUrl: string; timeoutMs: number }): NaiveGateway {
  const upstream = createNaiveUpstream(options);
  const server = createServer(createRouter({ upstream }));
  return {
    server,
    upstream,
    listen: (port, host) => listen(server, port, host),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
