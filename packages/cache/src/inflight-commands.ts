/**
 * The Redis operations a store has sent and not yet seen answered, and how many of those outlived their
 * timeout. Redis answers one connection's commands in order, so while one timed-out command is still
 * unanswered every command sent after it waits behind it: the store fails fast instead of sending more
 * (see `redisStore`). Closing waits here for what is in flight before it closes the connection.
 */
export class InflightCommands {
  private running = 0;
  private late = 0;
  private lateSince = 0;
  private readonly drainWaiters = new Set<() => void>();

  /** Operations sent and not yet settled. */
  get size(): number {
    return this.running;
  }

  /** Operations that outlived their timeout and are still unanswered. */
  get unanswered(): number {
    return this.late;
  }

  /** When (`Date.now()`) the first of the operations now unanswered was sent; 0 when none is. */
  get unansweredSince(): number {
    return this.late === 0 ? 0 : this.lateSince;
  }

  /**
   * Follows `sent` until it settles. Returns the function to call when its caller stopped waiting for it
   * (its timeout ran out): from then on it counts as unanswered until it settles.
   */
  track(sent: Promise<unknown>): () => void {
    this.running++;
    const sentAt = Date.now();
    let timedOut = false;
    const settled = () => {
      this.running--;
      if (timedOut) this.late--;
      if (this.running === 0) for (const wake of [...this.drainWaiters]) wake();
    };
    sent.then(settled, settled);
    return () => {
      if (timedOut) return;
      timedOut = true;
      if (this.late++ === 0) this.lateSince = sentAt;
    };
  }

  /** Resolves `true` once nothing is in flight, or `false` when `timeoutMs` ran out first. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.drainWaiters.delete(wake);
        resolve(result);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.drainWaiters.add(wake);
    });
  }
}
