import { metrics } from '@opentelemetry/api';
import { ErrorCode, SightglassError } from '@sightglass/core';
import { afterEach, describe, expect, it } from 'vitest';
import { API_GLOBAL_KEY } from './otel-api-internals.js';
import {
  checkOpenTelemetryVersions,
  importPeer,
  installedSdkLine,
  requirePeer,
  resolvePackage,
  type VersionFacts,
  versionFacts,
} from './peers.js';
import { startTelemetry } from './start-telemetry.js';

const API_19 = { version: '1.9.1', directory: '/app/node_modules/@opentelemetry/api' };
const API_110 = { version: '1.10.0', directory: '/app/node_modules/@opentelemetry/api' };
const SDK_2 = { version: '2.12.0', directory: '/app/node_modules/@opentelemetry/sdk-metrics' };
const SDK_3 = { version: '3.1.1', directory: '/app/node_modules/@opentelemetry/sdk-metrics' };

function facts(overrides: Partial<VersionFacts>): VersionFacts {
  return {
    api: API_19,
    applicationApi: API_19,
    sdk: SDK_2,
    registeredApiVersion: undefined,
    node: '20.20.2',
    ...overrides,
  };
}

function thrown(run: () => unknown): SightglassError {
  try {
    run();
  } catch (error) {
    if (error instanceof SightglassError) return error;
    throw error;
  }
  throw new Error('expected a SightglassError');
}

describe('checkOpenTelemetryVersions', () => {
  it('accepts each supported line as users install it', () => {
    expect(checkOpenTelemetryVersions(facts({}), true)).toEqual([]);
    const node24 = facts({ api: API_110, applicationApi: API_110, sdk: SDK_3, node: '24.11.0' });
    expect(checkOpenTelemetryVersions(node24, true)).toEqual([]);
  });

  it('refuses SDK 3 with API 1.9, naming both versions and what to install on each line', () => {
    const error = thrown(() => checkOpenTelemetryVersions(facts({ sdk: SDK_3, node: '24.11.0' }), true));
    expect(error.code).toBe(ErrorCode.INCOMPATIBLE_VERSIONS);
    expect(error.message).toContain('@opentelemetry/sdk-metrics 3.1.1 needs @opentelemetry/api >= 1.10');
    expect(error.message).toContain('1.9.1 is installed');
    expect(error.message).toContain('@opentelemetry/api@~1.10.0 @opentelemetry/sdk-metrics@^3.1.0');
    expect(error.message).toContain(
      'for Node.js 20, @opentelemetry/api@~1.9.0 @opentelemetry/sdk-metrics@^2.12.0',
    );
  });

  it('refuses SDK 3 on Node.js 20 and says what Node.js 20 needs', () => {
    const error = thrown(() => checkOpenTelemetryVersions(facts({ api: API_110, sdk: SDK_3 }), true));
    expect(error.code).toBe(ErrorCode.INCOMPATIBLE_VERSIONS);
    expect(error.message).toContain('needs Node.js >= 22.15, but this is Node.js 20.20.2');
    expect(error.message).toContain('@opentelemetry/sdk-metrics@^2.12.0');
  });

  it('refuses to register beside globals another copy of the API registered first', () => {
    const split = facts({ registeredApiVersion: '1.10.0' });
    const error = thrown(() => checkOpenTelemetryVersions(split, true));
    expect(error.code).toBe(ErrorCode.INCOMPATIBLE_VERSIONS);
    expect(error.message).toContain('two copies of @opentelemetry/api are loaded: 1.10.0');
    expect(error.message).toContain('Sightglass uses 1.9.1');
    expect(error.message).toContain('npm ls @opentelemetry/api');
    // Nothing is registered globally with `global: false`, so nothing can be refused.
    expect(checkOpenTelemetryVersions(split, false)).toEqual([]);
  });

  it("warns when the application's main module resolves another API copy", () => {
    const other = { version: '1.10.0', directory: '/app/node_modules/other/node_modules/@opentelemetry/api' };
    const [warning] = checkOpenTelemetryVersions(facts({ applicationApi: other }), true);
    expect(warning).toContain('the application resolves @opentelemetry/api 1.10.0');
    expect(warning).toContain('Sightglass uses 1.9.1');
  });

  it('has nothing to say when a package cannot be found', () => {
    expect(checkOpenTelemetryVersions(facts({ api: undefined, sdk: undefined }), true)).toEqual([]);
  });
});

describe('the facts of this process', () => {
  it('reads the installed versions from the packages themselves', () => {
    const read = versionFacts();
    expect(read.api?.version).toMatch(/^1\.9\./);
    expect(read.sdk?.version).toMatch(/^2\./);
    expect(read.node).toBe(process.versions.node);
    expect(resolvePackage('@sightglass/not-installed')).toBeUndefined();
    expect(installedSdkLine().experimental).toBe('^0.223.0');
  });
});

describe('importPeer', () => {
  it('imports an installed peer', async () => {
    const module = await importPeer<{ OTLPMetricExporter: unknown }>(
      '@opentelemetry/exporter-metrics-otlp-http',
      'OTLP export',
    );
    expect(typeof module.OTLPMetricExporter).toBe('function');
  });

  it('names the package and the version line to install when it is missing', async () => {
    const error = await importPeer(
      '@opentelemetry/exporter-not-installed',
      'OTLP export over carrier pigeon',
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SightglassError);
    expect((error as SightglassError).code).toBe(ErrorCode.MISSING_DEPENDENCY);
    expect((error as SightglassError).message).toBe(
      'OTLP export over carrier pigeon needs @opentelemetry/exporter-not-installed, which is not installed: ' +
        'npm install @opentelemetry/exporter-not-installed@^0.223.0 (the line that matches @opentelemetry/sdk-metrics 2.x)',
    );
  });
});

describe('requirePeer', () => {
  it('loads an installed peer', () => {
    const module = requirePeer<{ OTLPMetricExporter: unknown }>(
      '@opentelemetry/exporter-metrics-otlp-proto',
      'OTLP export',
    );
    expect(typeof module.OTLPMetricExporter).toBe('function');
  });

  it('names the package and the version line to install when it is missing, as importPeer does', () => {
    const error = thrown(() =>
      requirePeer('@opentelemetry/exporter-not-installed', 'OTLP export over carrier pigeon'),
    );
    expect(error.code).toBe(ErrorCode.MISSING_DEPENDENCY);
    expect(error.message).toContain('npm install @opentelemetry/exporter-not-installed@^0.223.0');
  });

  it('passes on what else goes wrong loading it', () => {
    const broken = Object.assign(
      () => {
        throw new TypeError('a peer that throws while loading');
      },
      { resolve: () => '' },
    ) as unknown as NodeJS.Require;
    expect(() => requirePeer('@opentelemetry/anything', 'x', undefined, broken)).toThrow(TypeError);
  });
});

describe('startTelemetry with a split OpenTelemetry API', () => {
  const KEY = API_GLOBAL_KEY;
  const holder = globalThis as { [KEY]?: { version: string } };
  let saved: { version: string } | undefined;
  afterEach(() => {
    if (saved === undefined) delete holder[KEY];
    else holder[KEY] = saved;
  });

  it('fails at start-up with the versions named, and registers nothing', async () => {
    saved = holder[KEY];
    holder[KEY] = { version: '1.10.0' };
    const error = await startTelemetry({ prometheus: { port: 0 } }).catch((caught: unknown) => caught);
    expect((error as SightglassError).code).toBe(ErrorCode.INCOMPATIBLE_VERSIONS);
    expect((error as Error).message).toContain('1.10.0');
    holder[KEY] = saved as { version: string };
    if (saved === undefined) delete holder[KEY];
    // Nothing was left behind: a correct start works next.
    const telemetry = await startTelemetry({ prometheus: { port: 0 } });
    expect(metrics.getMeterProvider()).toBe(telemetry.meterProvider);
    await telemetry.shutdown();
  });
});
