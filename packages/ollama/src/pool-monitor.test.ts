import { HealthComponent, healthRegistry, SightglassError } from '@sightglass/core';
import { afterEach, expect, it } from 'vitest';
import { client } from './test-support/servers.js';

const HEALTH_KEY = Symbol.for('@sightglass/core/health-registry@1');
const holder = globalThis as { [HEALTH_KEY]?: unknown };
const ours = healthRegistry();

afterEach(() => {
  holder[HEALTH_KEY] = ours;
});

it('numbers the default name when the global health registry belongs to another copy of core', async () => {
  // Another copy of @sightglass/core (another version, or a bundled one) created the process's registry:
  // its duplicate-name error is of that copy's SightglassError class.
  const specifier = new URL('../../core/src/health.ts?copy=other', import.meta.url).href;
  const other = (await import(specifier)) as typeof import('@sightglass/core');
  delete holder[HEALTH_KEY];
  const registry = other.healthRegistry();
  expect(registry).not.toBe(ours);
  const check = () => ({ status: 'healthy' as const });
  registry.register({ component: HealthComponent.connectionPool, name: 'ollama', check });
  let duplicate: unknown;
  try {
    registry.register({ component: HealthComponent.connectionPool, name: 'ollama', check });
  } catch (error) {
    duplicate = error;
  }
  expect(duplicate).toBeInstanceOf(SightglassError);

  const ollama = client({ host: 'http://127.0.0.1:1' });
  const names = registry
    .list()
    .filter((entry) => entry.component === HealthComponent.connectionPool)
    .map((entry) => entry.name);
  expect(names).toEqual(['ollama', 'ollama_2']);
  await ollama.close();
});
