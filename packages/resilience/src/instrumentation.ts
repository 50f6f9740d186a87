import { createMetricGroup, ErrorCode, type MetricGroup, SightglassError } from '@sightglass/core';
import { reportInstrumentationError, validateName } from '@sightglass/core/internal';
import type { CockatielEvent, PolicyLike } from './cockatiel-types.js';

/** What every `instrument…()` function adds to the policy it returns. */
export interface InstrumentationHandle {
  /** The name the policy reports under. */
  readonly instrumentationName: string;
  /** Detaches every listener, restores the policy and stops reporting it. Calling it again does nothing. */
  dispose(): void;
}

/** A cockatiel policy with instrumentation: use it wherever you used the policy. */
export type Instrumented<P> = P & InstrumentationHandle;

/**
 * The listeners, patches and registrations of one instrumented policy, so that `dispose()` undoes them all.
 * Every listener is guarded: cockatiel calls listeners synchronously inside `execute()`, so one that threw
 * would reject the user's call.
 */
export class Attachments {
  private readonly undo: Array<() => void> = [];
  private disposed = false;

  constructor(private readonly kind: string) {}

  /** Subscribes a guarded listener to a cockatiel event. */
  listen<T>(event: CockatielEvent<T>, listener: (value: T) => void): void {
    const kind = `${this.kind} listener`;
    // One argument, no rest parameters: this runs inside every call the policy executes.
    const subscription = event((value) => {
      try {
        listener(value);
      } catch (error) {
        reportInstrumentationError(kind, error);
      }
    });
    this.undo.push(() => subscription.dispose());
  }

  /** Remembers something to undo on dispose. */
  onDispose(undo: () => void): void {
    this.undo.push(undo);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const undo of this.undo.splice(0).reverse()) {
      try {
        undo();
      } catch (error) {
        reportInstrumentationError(`${this.kind} dispose`, error);
      }
    }
  }
}

const instrumentedPolicies = new WeakMap<object, string>();

/** The name a policy is instrumented under now, if it is. */
export function instrumentedName(policy: object): string | undefined {
  return instrumentedPolicies.get(policy);
}

/** Marks a policy as instrumented under `name`; returns the name it already had, if any. */
export function claimPolicy(policy: object, name: string): string | undefined {
  const existing = instrumentedPolicies.get(policy);
  if (existing === undefined) instrumentedPolicies.set(policy, name);
  return existing;
}

/** Forgets a policy's instrumentation (on dispose), so it can be instrumented again. */
export function releasePolicy(policy: object): void {
  instrumentedPolicies.delete(policy);
}

/**
 * Adds the instrumentation handle to the policy itself, as non-enumerable properties, and returns it: the
 * instrumented policy is the same object (identity, `instanceof` and every member unchanged), and nothing
 * sits between the caller and `execute()`.
 */
export function withHandle<P extends object>(policy: P, handle: InstrumentationHandle): Instrumented<P> {
  // The handle stays after dispose(): calling dispose() again must stay harmless.
  Object.defineProperties(policy, {
    dispose: { value: handle.dispose, configurable: true, writable: true },
    instrumentationName: { value: handle.instrumentationName, configurable: true, writable: true },
  });
  return policy as Instrumented<P>;
}

/** What a policy's set-up gets: its validated name, where to attach listeners, and its metric group. */
export interface SetupContext {
  readonly name: string;
  readonly attachments: Attachments;
  readonly metrics: MetricGroup;
}

/**
 * The common frame of every `instrument…()` function: checks the name and the policy, refuses a policy that
 * is already instrumented, runs `setup`, and undoes everything if set-up fails, so nothing is half-attached.
 */
export function instrument<P extends PolicyLike>(
  policy: P,
  options: { name: unknown } | undefined,
  kind: string,
  matches: (policy: PolicyLike) => boolean,
  setup: (context: SetupContext) => void,
): Instrumented<P> {
  const name = validateName(options?.name, kind);
  if (policy === null || typeof policy !== 'object' || !matches(policy)) {
    throw new SightglassError(
      ErrorCode.INVALID_ARGUMENT,
      `instrument ${kind} "${name}": not a cockatiel ${kind}`,
    );
  }
  if (!Object.isExtensible(policy)) {
    throw new SightglassError(
      ErrorCode.INVALID_ARGUMENT,
      `instrument ${kind} "${name}": the policy is frozen or sealed, so it cannot be instrumented`,
    );
  }
  const existing = claimPolicy(policy, name);
  if (existing !== undefined) {
    throw new SightglassError(
      ErrorCode.INVALID_ARGUMENT,
      `this ${kind} is already instrumented as "${existing}"; dispose() that instrumentation first`,
    );
  }
  const attachments = new Attachments(`${kind} "${name}"`);
  const metrics = createMetricGroup();
  attachments.onDispose(() => metrics.dispose());
  attachments.onDispose(() => releasePolicy(policy));
  try {
    setup({ name, attachments, metrics });
    return withHandle(policy, { instrumentationName: name, dispose: () => attachments.dispose() });
  } catch (error) {
    attachments.dispose();
    throw error;
  }
}
