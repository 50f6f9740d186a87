import { ErrorCode, MAX_NAME_LENGTH, SightglassError, validateName } from './errors.js';

/**
 * The components the spec's `/health` shape names, where Sightglass packages register their checks. One
 * place for these keys: `/health` always shows them, and each package registers under its own.
 */
export const HealthComponent = Object.freeze({
  circuitBreakers: 'circuit_breakers',
  connectionPool: 'connection_pool',
  cache: 'cache',
} as const);

/** A component's health. Ordered: healthy < degraded < unhealthy. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/** What a check returns. `details` is shown under the check's name in `/health` (unless hidden). */
export interface HealthCheckResult {
  status: HealthStatus;
  details?: Record<string, unknown>;
}

/** A named check of one part of the application. */
export interface HealthCheck {
  /** Where the check is grouped in `/health`: `circuit_breakers`, `connection_pool`, `cache`, or your own. */
  component: string;
  /** The instance: a breaker's, pool's or cache's name. */
  name: string;
  /** Returns the current health. May be async; a throw or a timeout counts as unhealthy with a reason. */
  check: () => HealthCheckResult | Promise<HealthCheckResult>;
  /**
   * Whether this part failing makes the whole process unhealthy (HTTP 503). Default `false`: a failing
   * non-critical part degrades the process but never fails it, so one downstream outage cannot take every
   * replica out of rotation.
   */
  critical?: boolean;
  /** How long the check may take, in milliseconds. Default: the evaluation's timeout. */
  timeoutMs?: number;
}

/** One check's outcome in a {@link HealthReport}. */
export interface HealthCheckReport extends HealthCheckResult {
  critical: boolean;
}

/** The whole application's health, grouped by component then by name. */
export interface HealthReport {
  status: HealthStatus;
  components: Record<string, Record<string, HealthCheckReport>>;
}

/** Options of {@link HealthRegistry.evaluate}. */
export interface EvaluateOptions {
  /** Time allowed to each check without its own `timeoutMs`, in milliseconds. Default 1000. */
  timeoutMs?: number;
}

const SEVERITY: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** The more severe of two statuses. */
export function worseStatus(a: HealthStatus, b: HealthStatus): HealthStatus {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** A status as a number for the `health_status` gauge: 1 healthy, 0.5 degraded, 0 unhealthy. */
export function healthStatusValue(status: HealthStatus): number {
  return status === 'healthy' ? 1 : status === 'degraded' ? 0.5 : 0;
}

/** Something the process waits for before it is ready to serve, such as a cache's first warm-up. */
export interface ReadinessGate {
  readonly name: string;
  /** Whether the gate is open (its part is ready). */
  readonly isOpen: boolean;
  /** Opens the gate: this part no longer holds readiness back. */
  open(): void;
  /** Removes the gate (the part is gone). */
  dispose(): void;
}

/** Whether every readiness gate is open, and which are not. */
export interface ReadinessReport {
  ready: boolean;
  waitingFor: string[];
}

/**
 * The checks an application's parts register. Sightglass packages register their breakers, pools and
 * caches here; `/health` evaluates them all.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, { readonly check: HealthCheck }>();
  private readonly gates = new Set<ReadinessGate>();
  private notReadyReason: string | undefined;
  private last: HealthReport | undefined;

  /**
   * Adds a closed readiness gate: `/readyz` reports not ready until it is opened or disposed. Several gates
   * may share a name.
   */
  readinessGate(name: string): ReadinessGate {
    if (typeof name !== 'string' || name.trim() === '' || name.length > 2 * MAX_NAME_LENGTH) {
      throw new SightglassError(
        ErrorCode.INVALID_NAME,
        `Readiness gate name must be a non-empty string of at most ${2 * MAX_NAME_LENGTH} characters`,
      );
    }
    const gates = this.gates;
    let open = false;
    const gate: ReadinessGate = {
      name,
      get isOpen() {
        return open;
      },
      open() {
        open = true;
      },
      dispose() {
        gates.delete(gate);
      },
    };
    gates.add(gate);
    return gate;
  }

  /** Whether every readiness gate is open and shutdown has not begun. */
  readiness(): ReadinessReport {
    const waitingFor = [...this.gates].filter((gate) => !gate.isOpen).map((gate) => gate.name);
    if (this.notReadyReason !== undefined) waitingFor.unshift(this.notReadyReason);
    return { ready: waitingFor.length === 0, waitingFor };
  }

  /**
   * Reports not ready from now on (`/readyz` answers 503), for a graceful shutdown: call it on SIGTERM, let
   * the load balancer take the instance out, then stop serving. `markReady()` undoes it.
   */
  markNotReady(reason = 'shutting down'): void {
    this.notReadyReason = reason;
  }

  /** Undoes {@link markNotReady}. */
  markReady(): void {
    this.notReadyReason = undefined;
  }

  /** The last report {@link evaluate} produced (what the `health_status` gauge shows), if any. */
  get lastReport(): HealthReport | undefined {
    return this.last;
  }

  /** Adds a check; returns the function that removes it. Component and name together must be unique. */
  register(check: HealthCheck): () => void {
    validateName(check.component, 'Health component');
    validateName(check.name, 'Health check');
    if (typeof check.check !== 'function') {
      throw new SightglassError(ErrorCode.INVALID_ARGUMENT, 'Health check needs a check() function');
    }
    const key = `${check.component}\u0000${check.name}`;
    if (this.checks.has(key)) {
      throw new SightglassError(
        ErrorCode.DUPLICATE_HEALTH_CHECK,
        `A health check named "${check.name}" is already registered under "${check.component}"`,
      );
    }
    // The check is kept as given (a class instance's check() may use `this`); the entry is this registration.
    const registered = { check };
    this.checks.set(key, registered);
    return () => {
      if (this.checks.get(key) === registered) this.checks.delete(key);
    };
  }

  /** The registered checks. */
  list(): readonly HealthCheck[] {
    return [...this.checks.values()].map((entry) => entry.check);
  }

  /**
   * Runs every check concurrently, each bounded by its timeout, and combines them: the worst critical
   * status, with non-critical failures capped at `degraded`. Never rejects.
   */
  async evaluate(options: EvaluateOptions = {}): Promise<HealthReport> {
    const defaultTimeout = options.timeoutMs ?? 1000;
    const checks = this.list();
    const results = await Promise.all(checks.map((check) => runCheck(check, defaultTimeout)));
    const report: HealthReport = { status: 'healthy', components: {} };
    checks.forEach((check, index) => {
      const result = results[index]!;
      const critical = check.critical === true;
      report.components[check.component] ??= {};
      report.components[check.component]![check.name] = { ...result, critical };
      const counted = critical ? result.status : capAtDegraded(result.status);
      report.status = worseStatus(report.status, counted);
    });
    this.last = report;
    return report;
  }
}

function capAtDegraded(status: HealthStatus): HealthStatus {
  return status === 'unhealthy' ? 'degraded' : status;
}

async function runCheck(check: HealthCheck, defaultTimeout: number): Promise<HealthCheckResult> {
  const timeoutMs = check.timeoutMs ?? defaultTimeout;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'unhealthy', details: { reason: `check timed out after ${timeoutMs} ms` } }),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => check.check()), timeout]);
    if (result === null || typeof result !== 'object' || !Object.hasOwn(SEVERITY, result.status)) {
      return { status: 'unhealthy', details: { reason: 'check returned no valid status' } };
    }
    return result;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { status: 'unhealthy', details: { reason: `check threw ${reason.slice(0, 200)}` } };
  } finally {
    clearTimeout(timer);
  }
}

const HEALTH_KEY = Symbol.for('@sightglass/core/health-registry@1');

/** The process-wide health registry (shared by every copy of @sightglass/core in the process). */
export function healthRegistry(): HealthRegistry {
  const holder = globalThis as { [HEALTH_KEY]?: HealthRegistry };
  holder[HEALTH_KEY] ??= new HealthRegistry();
  return holder[HEALTH_KEY];
}
