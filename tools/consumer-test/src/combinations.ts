/** One kind of user application the consumer test builds: a Node.js line and what the user installs on it. */
export interface Combination {
  name: string;
  /** The Node.js major the application runs on (the npm registry's `node` package for other lines). */
  node: number;
  /** The application's own dependencies beside the Sightglass tarballs, as docs/supported-versions.md says. */
  dependencies: Record<string, string>;
  /** The `@opentelemetry/api` version the single copy must have. */
  apiVersion: RegExp;
  /** Whether the application brings its own NodeSDK (`@opentelemetry/sdk-node` is in `dependencies`). */
  ownSdk: boolean;
  /** Whether the application installs the tracing peers (`@opentelemetry/sdk-trace` is in `dependencies`). */
  tracing?: boolean;
}

const common = { express: '^5.1.0', fastify: '^5.6.0', typescript: '~5.9.3' };

/** The combinations the consumer test runs: each Node.js line users run, installed as the docs say. */
export const COMBINATIONS: Combination[] = [
  {
    name: 'Node 20, API 1.9, SDK 2.12',
    node: 20,
    dependencies: {
      ...common,
      '@opentelemetry/api': '~1.9.0',
      '@opentelemetry/sdk-metrics': '~2.12.0',
      '@opentelemetry/resources': '~2.12.0',
      '@opentelemetry/instrumentation-runtime-node': '~0.36.1',
      '@opentelemetry/sdk-node': '~0.223.0',
      '@opentelemetry/sdk-trace': '~2.12.0',
      '@opentelemetry/core': '~2.12.0',
      '@opentelemetry/context-async-hooks': '~2.12.0',
      '@opentelemetry/exporter-trace-otlp-http': '~0.223.0',
      '@opentelemetry/exporter-metrics-otlp-http': '~0.223.0',
      '@types/node': '^20.19.0',
      cockatiel: '^3.2.1',
      redis: '^5.10.0',
    },
    apiVersion: /^1\.9\./,
    ownSdk: true,
    tracing: true,
  },
  {
    // README's install line for Node.js 22 and 24, as written: npm adds the peers it leaves out.
    name: "Node 22, README's line (API, sdk-metrics, resources at latest)",
    node: 22,
    dependencies: {
      ...common,
      '@opentelemetry/api': 'latest',
      '@opentelemetry/sdk-metrics': 'latest',
      '@opentelemetry/resources': 'latest',
      // docs/supported-versions.md's tracing line.
      '@opentelemetry/sdk-trace': 'latest',
      '@opentelemetry/core': 'latest',
      '@opentelemetry/context-async-hooks': 'latest',
      '@opentelemetry/exporter-trace-otlp-http': 'latest',
      '@opentelemetry/exporter-metrics-otlp-http': 'latest',
      '@types/node': '^22.15.0',
      cockatiel: '^4.0.0',
    },
    apiVersion: /^1\.10\./,
    ownSdk: false,
    tracing: true,
  },
  {
    name: 'Node 24, API 1.10, sdk-node latest',
    node: 24,
    dependencies: {
      ...common,
      '@opentelemetry/api': 'latest',
      '@opentelemetry/sdk-node': 'latest',
      '@types/node': '^24.0.0',
      cockatiel: '^4.0.0',
      redis: '^6.0.0',
      undici: '^8.0.0',
    },
    apiVersion: /^1\.10\./,
    ownSdk: true,
  },
];
