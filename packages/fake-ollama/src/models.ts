import { parseModelName } from './names.js';
import type { ResolvedModel } from './options.js';

/** A loaded model, as `/api/ps` lists it. */
export interface LoadedModel {
  readonly model: ResolvedModel;
  readonly expiresAt: Date;
}

/**
 * The server's models: what is installed (`/api/tags`, changed by copy and delete) and what is loaded
 * (`/api/ps`, with each model's `keep_alive` expiry). As in Ollama's scheduler, a model in use is never
 * unloaded, and its `keep_alive` counts from the end of its last request. Expiry is checked when asked,
 * so no timer runs.
 */
export class ModelRegistry {
  readonly #installed = new Map<string, ResolvedModel>();
  readonly #expiry = new Map<string, number>();
  /** Requests using each model now, by key. */
  readonly #inUse = new Map<string, number>();

  constructor(
    models: readonly ResolvedModel[],
    private readonly now: () => number = Date.now,
  ) {
    for (const model of models) this.#installed.set(model.key, model);
  }

  /** The installed model a request's name means (`llama3.2` finds `llama3.2:latest`), if any. */
  find(name: string): ResolvedModel | undefined {
    const parsed = parseModelName(name);
    return parsed === undefined ? undefined : this.#installed.get(parsed.key);
  }

  /** Installed models, most recently modified first (as Ollama sorts `/api/tags`). */
  list(): ResolvedModel[] {
    return [...this.#installed.values()].sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime());
  }

  /** Installs `source` again under `destination` (replacing a model of that name), as `/api/copy` does. */
  copy(source: ResolvedModel, destination: string): ResolvedModel | undefined {
    const name = parseModelName(destination);
    if (name === undefined) return undefined;
    const copy = { ...source, name: name.display, key: name.key, modifiedAt: new Date(this.now()) };
    this.#installed.set(copy.key, copy);
    return copy;
  }

  /** Removes a model (and unloads it). */
  delete(model: ResolvedModel): void {
    this.#installed.delete(model.key);
    this.#expiry.delete(model.key);
  }

  /** Whether `model` is loaded now: in use, or its `keep_alive` not run out. */
  isLoaded(model: ResolvedModel): boolean {
    if ((this.#inUse.get(model.key) ?? 0) > 0) return true;
    const expiry = this.#expiry.get(model.key);
    return expiry !== undefined && expiry > this.now();
  }

  /** Marks `model` in use by one more request (loaded); `/api/ps` shows it expiring `keepAliveMs` from now. */
  use(model: ResolvedModel, keepAliveMs: number): void {
    this.#inUse.set(model.key, (this.#inUse.get(model.key) ?? 0) + 1);
    this.#expiry.set(model.key, this.now() + keepAliveMs);
  }

  /** Ends one request's use of `model`, which then stays loaded for `keepAliveMs` (0 unloads it). */
  release(model: ResolvedModel, keepAliveMs: number): void {
    const users = (this.#inUse.get(model.key) ?? 1) - 1;
    if (users > 0) this.#inUse.set(model.key, users);
    else this.#inUse.delete(model.key);
    this.keepLoaded(model, keepAliveMs);
  }

  /** Marks `model` loaded until `keepAliveMs` from now; 0 unloads it (once no request uses it). */
  keepLoaded(model: ResolvedModel, keepAliveMs: number): void {
    if (keepAliveMs <= 0) this.#expiry.delete(model.key);
    else this.#expiry.set(model.key, this.now() + keepAliveMs);
  }

  /** Loaded models, the one with the most time left first (as Ollama sorts `/api/ps`). */
  loaded(): LoadedModel[] {
    const now = this.now();
    const result: LoadedModel[] = [];
    for (const model of this.#installed.values()) {
      if (!this.isLoaded(model)) continue;
      result.push({ model, expiresAt: new Date(this.#expiry.get(model.key) ?? now) });
    }
    return result.sort((a, b) => b.expiresAt.getTime() - a.expiresAt.getTime());
  }
}
