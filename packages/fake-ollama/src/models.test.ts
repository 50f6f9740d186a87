import { describe, expect, it } from 'vitest';
import { parameterCount, psEntryJson, showJson } from './model-json.js';
import { ModelRegistry } from './models.js';
import { resolveOptions } from './options.js';

const models = resolveOptions({
  models: [
    { name: 'old', modifiedAt: '2024-01-01T00:00:00Z' },
    { name: 'new', modifiedAt: '2025-01-01T00:00:00Z', parameterSize: '137M', family: 'bert' },
  ],
}).models;

describe('ModelRegistry', () => {
  it('finds models by any spelling of their name and lists the newest first', () => {
    const registry = new ModelRegistry(models);
    expect(registry.find('OLD')?.name).toBe('old:latest');
    expect(registry.find('library/new:latest')?.name).toBe('new:latest');
    expect(registry.find('ghost')).toBeUndefined();
    expect(registry.find('a b')).toBeUndefined();
    expect(registry.list().map((m) => m.name)).toEqual(['new:latest', 'old:latest']);
  });

  it('copies, deletes, and refuses an invalid copy name', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const registry = new ModelRegistry(models, () => now);
    const old = registry.find('old')!;
    const copy = registry.copy(old, 'Mine:v2')!;
    expect(copy).toMatchObject({ name: 'Mine:v2', key: 'mine:v2', modifiedAt: new Date(now) });
    expect(registry.list()[0]!.name).toBe('Mine:v2');
    expect(registry.copy(copy, 'a b')).toBeUndefined();
    registry.keepLoaded(copy, 1000);
    registry.delete(copy);
    expect(registry.find('mine:v2')).toBeUndefined();
    expect(registry.loaded()).toEqual([]);
    now += 1;
  });

  it('keeps models loaded for their keep_alive and forgets them after', () => {
    let now = 1_000_000;
    const registry = new ModelRegistry(models, () => now);
    const [old, young] = [registry.find('old')!, registry.find('new')!];
    registry.keepLoaded(old, 5000);
    registry.keepLoaded(young, 10_000);
    expect(registry.loaded().map((l) => l.model.name)).toEqual(['new:latest', 'old:latest']);
    expect(registry.isLoaded(old)).toBe(true);
    now += 6000;
    expect(registry.isLoaded(old)).toBe(false);
    expect(registry.loaded().map((l) => l.model.name)).toEqual(['new:latest']);
    registry.keepLoaded(young, 0);
    expect(registry.loaded()).toEqual([]);
  });

  it('never unloads a model in use, and counts keep_alive from the end of its last request', () => {
    let now = 0;
    const registry = new ModelRegistry(models, () => now);
    const old = registry.find('old')!;
    registry.use(old, 0);
    registry.use(old, 1000);
    now += 5000;
    expect(registry.loaded()).toEqual([{ model: old, expiresAt: new Date(1000) }]);
    registry.release(old, 0);
    expect(registry.isLoaded(old)).toBe(true);
    registry.release(old, 2000);
    now += 1999;
    expect(registry.isLoaded(old)).toBe(true);
    now += 1;
    expect(registry.isLoaded(old)).toBe(false);
    registry.use(old, 0);
    expect(registry.loaded()[0]!.expiresAt).toEqual(new Date(now));
  });
});

describe('model JSON', () => {
  it('shows the parameter count and family keys of a model', () => {
    const show = showJson(models[1]!) as { model_info: Record<string, unknown>; parameters: string };
    expect(show.model_info).toMatchObject({
      'general.parameter_count': 137_000_000,
      'bert.context_length': 131072,
    });
    expect(show.parameters.split('\n')[0]).toMatch(/^stop {27}"<\|start_header_id\|>"$/);
  });

  it('lists a loaded model with its expiry and VRAM size', () => {
    const entry = psEntryJson({ model: models[0]!, expiresAt: new Date(0) });
    expect(entry).toMatchObject({ expires_at: '1970-01-01T00:00:00.000Z', size_vram: models[0]!.size });
  });

  it('reads parameter sizes', () => {
    expect(parameterCount('3.2B')).toBe(3_200_000_000);
    expect(parameterCount('8k')).toBe(8000);
    expect(parameterCount('12')).toBe(12);
    expect(parameterCount('huge')).toBe(0);
  });
});
