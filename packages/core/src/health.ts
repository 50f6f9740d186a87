import { ErrorCode, MAX_NAME_LENGTH, SightglassError, validateName } from './errors.js';
import { validateNumber } from './validate-number.js';

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
  /**
   * Returns the current health. May be async. A throw, a result without a valid status, details that cannot
   * be written as JSON (a cycle, a BigInt, a throwing `toJSON`) or missing the deadline count as unhealthy,
   * with the reason in `details.reason`; the other checks are not affected.
   */
  check: () => HealthCheckResult | Promise<HealthCheckResult>;
  /**
   * Whether this part failing makes the whole process unhealthy (HTTP 503). Read once, when registered.
   *
   * A failing non-critical part degrades the process but never fails it, so one downstream outage cannot
   * take every replica out of rotation.
   * @default false
   */
  critical?: boolean;
  /**
   * How long the check may take, in milliseconds: it can shorten the evaluation's deadline for this check,
   * never extend it (see {@link EvaluateOptions.timeoutMs}). Read once, when registered.
   * @default the evaluation's deadline
   */
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
  /**
   * The deadline of the evaluation, in milliseconds: every check settles within it, and one that has not
   * is reported unhealthy (timed out). A check's own `timeoutMs` cannot extend it. A call that finds an
   * evaluation in flight shares it and still waits at most this long.
   * @default 1000
   */
  timeoutMs?: number;
  /**
   * Reuse the last report if it finished less than this many milliseconds ago, instead of running the
   * checks again. `/health`, `/readyz`, the `health_status` gauge and the dashboard use
   * {@link DEFAULT_HEALTH_MAX_AGE_MS}.
   * @default 0 (run the checks, or share the evaluation in flight)
   */
  maxAgeMs?: number;
}

/** The deadline of a health evaluation when none is given, in milliseconds. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;

/**
 * How long `/health`, `/readyz`, the `health_status` gauge and the dashboard reuse a health report, in
 * milliseconds: a burst of requests runs the checks once, and what they show is at most this old.
 */
export const DEFAULT_HEALTH_MAX_AGE_MS = 1000;

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
  private readonly checks = new Map<string, Registered>();
  private readonly gates = new Set<ReadinessGate>();
  private notReadyReason: string | undefined;
  private last: HealthReport | undefined;
  /** When the last report finished (`performance.now()`), and which registrations it saw. */
  private lastAt = Number.NEGATIVE_INFINITY;
  private lastGeneration = -1;
  /** Counts changes to the registered checks: a report of other checks is not fresh. */
  private generation = 0;
  private inFlight: Evaluation | undefined;

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

  /**
   * The last report an evaluation produced (what the `health_status` gauge and the dashboard show), if any.
   * A report cut short for a caller that joined an evaluation in flight is not kept.
   */
  get lastReport(): HealthReport | undefined {
    return this.last;
  }

  /** Adds a check; returns the function that removes it. Component and name together must be unique. */
  register(check: HealthCheck): () => void {
    const component = validateName(check.component, 'Health component');
    const name = validateName(check.name, 'Health check');
    if (typeof check.check !== 'function') {
      throw new SightglassError(ErrorCode.INVALID_ARGUMENT, 'Health check needs a check() function');
    }
    const timeoutMs =
      check.timeoutMs === undefined
        ? undefined
        : validateNumber(check.timeoutMs, 'Health check timeoutMs', { ...DURATION, min: 1 });
    const key = `${component}\u0000${name}`;
    if (this.checks.has(key)) {
      throw new SightglassError(
        ErrorCode.DUPLICATE_HEALTH_CHECK,
        `A health check named "${name}" is already registered under "${component}"`,
      );
    }
    // The check is kept as given (a class instance's check() may use `this`); the entry is this registration.
    const registered: Registered = { check, component, name, critical: check.critical === true, timeoutMs };
    this.checks.set(key, registered);
    this.generation++;
    return () => {
      if (this.checks.get(key) !== registered) return;
      this.checks.delete(key);
      this.generation++;
    };
  }

  /** The registered checks. */
  list(): readonly HealthCheck[] {
    return [...this.checks.values()].map((entry) => entry.check);
  }

  /**
   * The registry's one evaluator. Runs every check concurrently within one deadline and combines them: the
   * worst critical status, with non-critical failures capped at `degraded`. At most one evaluation is in
   * flight: a call made meanwhile shares it instead of running the checks again, and a report younger than
   * `maxAgeMs` is reused. Never rejects for anything a check does; rejects with `ERR_SIGHTGLASS_INVALID_ARGUMENT`
   * for options it cannot use.
   */
  evaluate(options: EvaluateOptions = {}): Promise<HealthReport> {
    let timeoutMs: number;
    let maxAgeMs: number;
    try {
      timeoutMs = validateNumber(options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS, 'evaluate() timeoutMs', {
        ...DURATION,
        min: 1,
      });
      maxAgeMs = validateNumber(options.maxAgeMs ?? 0, 'evaluate() maxAgeMs', { ...DURATION, min: 0 });
    } catch (error) {
      return Promise.reject(error);
    }
    const fresh = this.lastGeneration === this.generation && performance.now() - this.lastAt < maxAgeMs;
    if (this.last !== undefined && fresh) return Promise.resolve(this.last);
    if (this.inFlight !== undefined) return this.inFlight.within(timeoutMs);
    const generation = this.generation;
    const evaluation = new Evaluation([...this.checks.values()], timeoutMs);
    this.inFlight = evaluation;
    return evaluation.done.then((report) => {
      this.inFlight = undefined;
      this.last = report;
      this.lastAt = performance.now();
      this.lastGeneration = generation;
      return report;
    });
  }
}

/** A registration: the check as given, and what was read from it once. */
interface Registered {
  readonly check: HealthCheck;
  readonly component: string;
  readonly name: string;
  readonly critical: boolean;
  readonly timeoutMs: number | undefined;
}

/** Sets an own property, even one named `__proto__` (a valid name), without touching any prototype. */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A duration passed to a call (a check's or an evaluation's), in milliseconds. */
const DURATION = { code: ErrorCode.INVALID_ARGUMENT, unit: 'milliseconds' } as const;

/** One run of every check, shared by every caller while it is in flight. */
class Evaluation {
  /** Each check's result once it settled, by position in `entries`. */
  private readonly results: (HealthCheckResult | undefined)[];
  /** Settles within the deadline, whatever the checks do; never rejects. */
  readonly done: Promise<HealthReport>;
  private readonly endsAt: number;

  constructor(
    private readonly entries: readonly Registered[],
    deadlineMs: number,
  ) {
    this.endsAt = performance.now() + deadlineMs;
    this.results = new Array(entries.length);
    this.done = Promise.all(
      entries.map((entry, index) =>
        runCheck(entry, Math.min(entry.timeoutMs ?? deadlineMs, deadlineMs)).then((result) => {
          this.results[index] = result;
        }),
      ),
    ).then(() => this.report('check did not settle'));
  }

  /**
   * The report for a caller that waits at most `waitMs` from now: the whole evaluation if it ends by then,
   * else what settled by then, with the checks still running reported timed out.
   */
  within(waitMs: number): Promise<HealthReport> {
    if (this.endsAt <= performance.now() + waitMs) return this.done;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.report(`check timed out after ${waitMs} ms`)), waitMs);
      timer.unref();
      void this.done.then((report) => {
        clearTimeout(timer);
        resolve(report);
      });
    });
  }

  private report(pendingReason: string): HealthReport {
    const report: HealthReport = { status: 'healthy', components: {} };
    this.entries.forEach((entry, index) => {
      const result = this.results[index] ?? unhealthy(pendingReason);
      if (!Object.hasOwn(report.components, entry.component)) {
        setOwn(report.components, entry.component, {});
      }
      setOwn(report.components[entry.component]!, entry.name, { ...result, critical: entry.critical });
      const counted = entry.critical ? result.status : capAtDegraded(result.status);
      report.status = worseStatus(report.status, counted);
    });
    return report;
  }
}

function capAtDegraded(status: HealthStatus): HealthStatus {
  return status === 'unhealthy' ? 'degraded' : status;
}

function unhealthy(reason: string): HealthCheckResult {
  return { status: 'unhealthy', details: { reason } };
}

/** Runs one check within `budgetMs`. Never rejects: whatever the check does becomes a result. */
async function runCheck(entry: Registered, budgetMs: number): Promise<HealthCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), budgetMs);
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => entry.check.check()), timeout]);
    if (result === TIMED_OUT) return unhealthy(`check timed out after ${budgetMs} ms`);
    return validResult(result);
  } catch (error) {
    return unhealthy(`check threw ${describe(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

const TIMED_OUT = Symbol('timed out');

/**
 * What a check returned, as a report can hold it: a known status and a JSON copy of the details, so that
 * nothing the check handed over (a getter, a cycle, a BigInt, a `toJSON` that throws) can fail `/health`
 * later, and later changes to the check's objects do not change the report. Throws only for a getter.
 */
function validResult(result: unknown): HealthCheckResult {
  if (result === null || typeof result !== 'object') return unhealthy('check returned no valid status');
  const { status, details } = result as { status?: unknown; details?: unknown };
  if (typeof status !== 'string' || !Object.hasOwn(SEVERITY, status)) {
    return unhealthy('check returned no valid status');
  }
  if (details === undefined) return { status: status as HealthStatus };
  let json: string | undefined;
  try {
    json = JSON.stringify(details);
  } catch (error) {
    return unhealthy(`check details cannot be written as JSON: ${describe(error)}`);
  }
  if (json === undefined) return { status: status as HealthStatus }; // a function or a symbol: nothing to show
  return { status: status as HealthStatus, details: JSON.parse(json) as Record<string, unknown> };
}

/** An error as a short reason; never throws (a thrown value's `toString` or `message` may). */
function describe(error: unknown): string {
  try {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return text.slice(0, 200);
  } catch {
    return 'a value that cannot be shown';
  }
}

const HEALTH_KEY = Symbol.for('@sightglass/core/health-registry@1');

/** The process-wide health registry (shared by every copy of @sightglass/core in the process). */
export function healthRegistry(): HealthRegistry {
  const holder = globalThis as { [HEALTH_KEY]?: HealthRegistry };
  holder[HEALTH_KEY] ??= new HealthRegistry();
  return holder[HEALTH_KEY];
}
