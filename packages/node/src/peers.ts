import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ErrorCode, SightglassError } from '@sightglass/core';
import { apiGlobals } from './otel-api-internals.js';

/**
 * The OpenTelemetry JS lines Sightglass is tested with. The SDK is the application's (peer dependencies):
 * the exporters it loads must come from the same line as the `@opentelemetry/sdk-metrics` it resolves.
 */
export const SDK_LINES = [
  { sdk: 2, api: '~1.9.0', apiMinor: 9, sdkRange: '^2.12.0', experimental: '^0.223.0', runtime: '~0.36.1' },
  { sdk: 3, api: '~1.10.0', apiMinor: 10, sdkRange: '^3.1.0', experimental: '^0.301.0', runtime: '^0.37.0' },
] as const;

/** One OpenTelemetry JS line: the versions of each package that belong together. */
export type SdkLine = (typeof SDK_LINES)[number];

type Require = ReturnType<typeof createRequire>;

const requireHere = createRequire(import.meta.url);

/** Where a package resolves from `@sightglass/node`, and its version; `undefined` when it is not installed. */
export function resolvePackage(
  name: string,
  from: Require = requireHere,
): { version: string; directory: string } | undefined {
  let entry: string;
  try {
    entry = from.resolve(name);
  } catch {
    return undefined;
  }
  // Walk up from the entry file: not every package exports its package.json.
  for (let directory = dirname(entry); directory !== dirname(directory); directory = dirname(directory)) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === name && typeof manifest.version === 'string') {
        return { version: manifest.version, directory };
      }
    } catch {
      // no package.json at this level
    }
  }
  return undefined;
}

function majorMinor(version: string): [number, number] {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return [major, minor];
}

/** The SDK line of the installed `@opentelemetry/sdk-metrics` (the newest line when it cannot be read). */
export function installedSdkLine(from?: Require): SdkLine {
  const sdk = resolvePackage('@opentelemetry/sdk-metrics', from);
  const major = sdk === undefined ? 3 : majorMinor(sdk.version)[0];
  return SDK_LINES.find((line) => line.sdk === major) ?? SDK_LINES[SDK_LINES.length - 1]!;
}

/** What to install for one Node.js line, as docs/supported-versions.md lists it. */
function installAdvice(line: SdkLine): string {
  return (
    `@opentelemetry/api@${line.api} @opentelemetry/sdk-metrics@${line.sdkRange} ` +
    `@opentelemetry/resources@${line.sdkRange} @opentelemetry/instrumentation-runtime-node@${line.runtime}`
  );
}

/** Whether `error` says that `name` itself could not be found (not something it loads). */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    String((error as Error).message).includes(name)
  );
}

function missingPeer(
  name: string,
  feature: string,
  versionFor: (line: SdkLine) => string,
  error: unknown,
): SightglassError {
  const line = installedSdkLine();
  return new SightglassError(
    ErrorCode.MISSING_DEPENDENCY,
    `${feature} needs ${name}, which is not installed: npm install ${name}@${versionFor(line)} ` +
      `(the line that matches @opentelemetry/sdk-metrics ${line.sdk}.x)`,
    { cause: error },
  );
}

/**
 * Imports an optional peer dependency, or explains what to install.
 *
 * @throws SightglassError `ERR_SIGHTGLASS_MISSING_DEPENDENCY` when `name` is not installed.
 */
export async function importPeer<T>(
  name: string,
  feature: string,
  versionFor: (line: SdkLine) => string = (line) => line.experimental,
): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    throw missingPeer(name, feature, versionFor, error);
  }
}

/**
 * Loads an optional peer dependency with `require` (for a function that cannot wait), or explains what to
 * install.
 *
 * @throws SightglassError `ERR_SIGHTGLASS_MISSING_DEPENDENCY` when `name` is not installed.
 */
export function requirePeer<T>(
  name: string,
  feature: string,
  versionFor: (line: SdkLine) => string = (line) => line.experimental,
  from: Require = requireHere,
): T {
  try {
    return from(name) as T;
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    throw missingPeer(name, feature, versionFor, error);
  }
}

/** What {@link checkOpenTelemetryVersions} needs to know; tests pass their own. */
export interface VersionFacts {
  /** The `@opentelemetry/api` Sightglass imports. */
  api: { version: string; directory: string } | undefined;
  /** The `@opentelemetry/api` the application's main module resolves, if it can be found. */
  applicationApi: { version: string; directory: string } | undefined;
  /** The `@opentelemetry/sdk-metrics` Sightglass imports. */
  sdk: { version: string; directory: string } | undefined;
  /** The version of the API copy that registered the process's OpenTelemetry globals first, if any. */
  registeredApiVersion: string | undefined;
  /** `process.versions.node`. */
  node: string;
}

/** Reads the facts of this process. */
export function versionFacts(): VersionFacts {
  const main = process.argv[1];
  let applicationApi: VersionFacts['applicationApi'];
  if (main !== undefined) {
    try {
      applicationApi = resolvePackage('@opentelemetry/api', createRequire(main));
    } catch {
      applicationApi = undefined;
    }
  }
  const registered = apiGlobals();
  return {
    api: resolvePackage('@opentelemetry/api'),
    applicationApi,
    sdk: resolvePackage('@opentelemetry/sdk-metrics'),
    registeredApiVersion: typeof registered?.version === 'string' ? registered.version : undefined,
    node: process.versions.node,
  };
}

/**
 * Checks, before anything is registered, that the application's OpenTelemetry packages can work together.
 * Returns warnings for what is likely but not certain to go wrong (`startTelemetry()` emits them as process
 * warnings, which Node prints to stderr).
 *
 * @throws SightglassError `ERR_SIGHTGLASS_INCOMPATIBLE_VERSIONS` when registering globally would be refused
 *   by the application's API (two copies of `@opentelemetry/api` of different versions), or when the SDK
 *   line needs another API or Node.js version. The message names both versions and what to install.
 */
export function checkOpenTelemetryVersions(facts: VersionFacts, registerGlobally: boolean): string[] {
  const warnings: string[] = [];
  const fail = (message: string): never => {
    throw new SightglassError(ErrorCode.INCOMPATIBLE_VERSIONS, message);
  };
  const api = facts.api;
  if (api !== undefined && facts.sdk !== undefined) {
    const [sdkMajor] = majorMinor(facts.sdk.version);
    const [, apiMinor] = majorMinor(api.version);
    const line = SDK_LINES.find((candidate) => candidate.sdk === sdkMajor);
    if (line !== undefined && apiMinor < line.apiMinor) {
      const node20 = SDK_LINES[0];
      fail(
        `@opentelemetry/sdk-metrics ${facts.sdk.version} needs @opentelemetry/api >= 1.${line.apiMinor}, but ` +
          `${api.version} is installed. Install either ${installAdvice(line)} or, for Node.js 20, ` +
          `${installAdvice(node20)}.`,
      );
    }
    const [nodeMajor, nodeMinor] = majorMinor(facts.node);
    if (sdkMajor >= 3 && (nodeMajor < 22 || (nodeMajor === 22 && nodeMinor < 15))) {
      fail(
        `@opentelemetry/sdk-metrics ${facts.sdk.version} needs Node.js >= 22.15, but this is Node.js ` +
          `${facts.node}. On Node.js 20 install ${installAdvice(SDK_LINES[0])}.`,
      );
    }
  }
  if (!registerGlobally || api === undefined) return warnings;
  if (facts.registeredApiVersion !== undefined && facts.registeredApiVersion !== api.version) {
    fail(
      `two copies of @opentelemetry/api are loaded: ${facts.registeredApiVersion} registered the process's ` +
        `OpenTelemetry globals first, and Sightglass uses ${api.version} (${api.directory}). The application's ` +
        `API would refuse Sightglass's MeterProvider and its own metrics would never reach /metrics. Install ` +
        `one copy: add @opentelemetry/api@${facts.registeredApiVersion} to the application's dependencies and ` +
        `run npm dedupe (npm ls @opentelemetry/api shows where the copies come from).`,
    );
  }
  const app = facts.applicationApi;
  if (app !== undefined && app.directory !== api.directory && app.version !== api.version) {
    warnings.push(
      `the application resolves @opentelemetry/api ${app.version} (${app.directory}) but Sightglass uses ` +
        `${api.version} (${api.directory}): two copies split the global MeterProvider. Install one copy ` +
        `(npm ls @opentelemetry/api shows where they come from).`,
    );
  }
  return warnings;
}
