/** Gives back a slot taken from the {@link Scheduler}. Calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  cancel: () => void;
}

/**
 * Ollama's admission control, simplified to one pool for the server: `parallel` requests run at once,
 * up to `maxQueue` more wait in order, and one more is turned away (Ollama answers it 503 "server busy").
 */
export class Scheduler {
  #running = 0;
  #maxRunning = 0;
  readonly #queue: Waiter[] = [];

  constructor(
    private readonly parallel: number,
    private readonly maxQueue: number,
  ) {}

  /** Requests holding a slot now. */
  get running(): number {
    return this.#running;
  }

  /** Requests waiting for a slot now. */
  get queued(): number {
    return this.#queue.length;
  }

  /** The most requests that held a slot at once. */
  get maxRunning(): number {
    return this.#maxRunning;
  }

  /** Restarts the high-water mark from the slots held now. */
  resetMaxRunning(): void {
    this.#maxRunning = this.#running;
  }

  /**
   * Takes a slot: at once if one is free, after waiting in line otherwise. Resolves to `'busy'` when the
   * line is full, and to `'aborted'` if `signal` aborts while waiting (the place in line is given up).
   */
  acquire(signal: AbortSignal): Promise<Release | 'busy' | 'aborted'> {
    if (signal.aborted) return Promise.resolve('aborted');
    if (this.#running < this.parallel) return Promise.resolve(this.#take());
    if (this.#queue.length >= this.maxQueue) return Promise.resolve('busy');
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal.removeEventListener('abort', waiter.cancel);
          resolve(release);
        },
        cancel: () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          resolve('aborted');
        },
      };
      signal.addEventListener('abort', waiter.cancel, { once: true });
      this.#queue.push(waiter);
    });
  }

  #take(): Release {
    this.#running++;
    this.#maxRunning = Math.max(this.#maxRunning, this.#running);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      // Hand the freed slot straight to the first in line.
      this.#queue.shift()?.grant(this.#take());
    };
  }
}
