import {
  CATALOG,
  type CounterCell,
  createMetricGroup,
  ErrorCode,
  type HealthCheckResult,
  HealthComponent,
  type HistogramCell,
  healthRegistry,
  type MetricGroup,
  SightglassError,
} from '@sightglass/core';
import { guard, numberedName } from '@sightglass/core/internal';
import type { Pool } from 'undici';
import { errorCode } from './errors.js';

/** The last connection failure the pool saw. */
interface LastError {
  message: string;
  code: string | undefined;
  at: string;
  atMs: number;
}

/**
 * Watches one undici Pool: its gauges are read from `pool.stats` at collection time (nothing is counted on
 * the request path), its connection events are counted, and its health check reports the stats and the
 * last connection error.
 */
export class PoolMonitor {
  private readonly group: MetricGroup | undefined;
  private readonly errors: CounterCell | undefined;
  private readonly wait: HistogramCell | undefined;
  private psPoll: (() => Record<string, unknown>) | undefined;
  private readonly unregister: (() => void) | undefined;
  private readonly listeners: Array<[string, (...args: never[]) => void]> = [];
  private lastError: LastError | undefined;
  private lastSuccessMs = 0;
  /** The name the pool reports under (the default name gets a suffix when another client holds it). */
  readonly name: string;
  private readonly releaseName: () => void;

  constructor(
    private readonly pool: Pool,
    private readonly connections: number,
    options: { name: string; nameGiven: boolean; metrics: boolean; health: boolean },
  ) {
    this.name = claimPoolName(options.name, options.nameGiven);
    this.releaseName = () => poolNames().delete(this.name);
    if (options.health) {
      try {
        const registered = this.registerHealth(this.name, options.nameGiven);
        this.name = registered.name;
        this.unregister = registered.unregister;
      } catch (error) {
        this.releaseName();
        throw error;
      }
    }
    if (!options.metrics) return;
    const labels = { pool_name: this.name };
    const group = createMetricGroup();
    this.group = group;
    const stat = (read: (stats: Pool['stats']) => number) => () =>
      this.pool.destroyed ? undefined : read(this.pool.stats);
    group.gauge(
      CATALOG.connectionPoolActiveConnections,
      labels,
      stat((s) => s.running),
    );
    group.gauge(
      CATALOG.connectionPoolUtilizationPercent,
      labels,
      stat((s) => (100 * s.running) / connections),
    );
    group.gauge(
      CATALOG.connectionPoolIdleConnections,
      labels,
      stat((s) => s.free),
    );
    group.gauge(CATALOG.connectionPoolMaxConnections, labels, () => connections);
    group.gauge(
      CATALOG.connectionPoolPendingRequests,
      labels,
      stat((s) => s.pending),
    );
    const opened = group.counter(CATALOG.connectionPoolConnectionsOpened, labels);
    const closed = group.counter(CATALOG.connectionPoolConnectionsClosed, labels);
    this.errors = group.counter(CATALOG.connectionPoolConnectionErrors, labels);
    this.wait = group.histogram(CATALOG.connectionPoolWaitDurationSeconds, labels);
    this.listen('connect', () => opened.inc());
    this.listen('disconnect', () => closed.inc());
    this.listen('connectionError', (_origin: unknown, _targets: unknown, error: unknown) =>
      this.countConnectionError(error),
    );
  }

  private listen(event: string, handler: (...args: never[]) => void): void {
    // A listener runs inside undici's event emission, on the request path: it must never throw there.
    const guarded = guard(`ollama pool ${event} listener`, handler) as (...args: never[]) => void;
    this.pool.on(event as 'connect', guarded as never);
    this.listeners.push([event, guarded]);
  }

  private registerHealth(name: string, nameGiven: boolean): { name: string; unregister: () => void } {
    for (let n = 1; ; n++) {
      const candidate = numberedName(name, n);
      try {
        const unregister = healthRegistry().register({
          component: HealthComponent.connectionPool,
          name: candidate,
          check: () => this.check(),
        });
        return { name: candidate, unregister };
      } catch (error) {
        // A name the user chose must be unique (two pools would share one series); the default name is
        // numbered so that `new Ollama()` twice just works, as it does with the `ollama` package.
        const duplicate = error instanceof SightglassError && error.code === ErrorCode.DUPLICATE_HEALTH_CHECK;
        if (!duplicate || nameGiven) throw error;
      }
    }
  }

  /**
   * Counts a connection error and remembers it for the health check: a connection that failed to open (the
   * pool's `connectionError` event), or one that broke under a request (the transport: undici emits no event
   * that tells a broken one from an idle one closing).
   */
  countConnectionError(error: unknown): void {
    this.errors?.inc();
    this.rememberConnectionError(error);
  }

  /** Remembers a connection error for the health check, without counting it (the pool's event did). */
  rememberConnectionError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const atMs = Date.now();
    this.lastError = { message, code: errorCode(error), at: new Date(atMs).toISOString(), atMs };
  }

  /** Whether the pool's metrics are reported (then requests are timed while they wait for a connection). */
  get metrics(): boolean {
    return this.wait !== undefined;
  }

  /**
   * A request waited `ms` for a connection: from being handed to the pool to undici starting to write it on
   * a connection (`onRequestStart`), queued for a free one or while one was opened for it.
   */
  waited(ms: number): void {
    this.wait?.record(ms / 1000);
  }

  /** Shows the `/api/ps` poller's state in the pool's health details (it never changes the status). */
  attachPsPoll(details: (() => Record<string, unknown>) | undefined): void {
    this.psPoll = details;
  }

  /** Notes that a request reached the server, which clears the degraded state a failure set. */
  reached(): void {
    this.lastSuccessMs = Date.now();
  }

  /** The pool's health: degraded while the last connection attempt failed and none succeeded since. */
  check(): HealthCheckResult {
    const stats = this.pool.stats;
    const failing = this.lastError !== undefined && this.lastError.atMs >= this.lastSuccessMs;
    const status = this.pool.closed ? 'unhealthy' : failing ? 'degraded' : 'healthy';
    const { atMs: _atMs, ...lastError } = this.lastError ?? { atMs: 0 };
    return {
      status,
      details: {
        max_connections: this.connections,
        connected: stats.connected,
        active: stats.running,
        idle: stats.free,
        pending: stats.pending,
        utilization_percent: (100 * stats.running) / this.connections,
        ...(this.lastError === undefined ? {} : { last_error: lastError }),
        ...(this.psPoll === undefined ? {} : { ps_poll: this.psPoll() }),
      },
    };
  }

  /** Stops reporting: removes the listeners, the series and the health check. */
  dispose(): void {
    this.releaseName();
    for (const [event, handler] of this.listeners.splice(0))
      this.pool.off(event as 'connect', handler as never);
    this.group?.dispose();
    this.unregister?.();
  }
}

const POOL_NAMES_KEY = Symbol.for('@sightglass/ollama/pool-names@1');

/** The pool names in use in this process (on globalThis, shared by every copy of this package). */
function poolNames(): Set<string> {
  const holder = globalThis as { [POOL_NAMES_KEY]?: Set<string> };
  holder[POOL_NAMES_KEY] ??= new Set();
  return holder[POOL_NAMES_KEY];
}

/**
 * Claims a `pool_name`, with or without health checks: two pools under one name would overwrite each
 * other's gauges. A name the user chose must be free; the default name is numbered (`ollama_2`, …) so that
 * `new Ollama()` twice just works, as with the `ollama` package.
 */
function claimPoolName(name: string, nameGiven: boolean): string {
  const names = poolNames();
  for (let n = 1; ; n++) {
    const candidate = numberedName(name, n);
    if (!names.has(candidate)) {
      names.add(candidate);
      return candidate;
    }
    if (nameGiven) {
      throw new SightglassError(
        ErrorCode.INVALID_NAME,
        `an Ollama client named "${name}" exists already: close() it or choose another name`,
      );
    }
  }
}
