import { ErrorCode } from './errors.js';
import { validateInteger } from './validate-number.js';

/** The value a label collapses into once its metric has seen too many distinct values. */
export const OVERFLOW_LABEL_VALUE = 'other';

/** Bounds on the values of one label of one metric. */
export interface LabelGuardOptions {
  /**
   * Longest value kept; longer values are cut to this many characters.
   * @default 128
   */
  maxLength?: number;
  /**
   * Distinct values kept; values first seen after this many become {@link OVERFLOW_LABEL_VALUE}.
   * @default 100
   */
  maxValues?: number;
}

/** The holds of a value admitted by {@link LabelGuard.value}: it is kept for good. */
const PINNED = Number.POSITIVE_INFINITY;

/**
 * Keeps one label's values bounded, so that an unbounded input (a route, a model name) can never grow the
 * number of series, and so memory, without limit.
 *
 * Used on its own, through {@link value}, a value once admitted stays admitted. A registry that creates and
 * removes series uses {@link acquire} and {@link release} instead: an admitted value then holds its slot
 * only while some series reports under it. Once its last series is gone it is idle, and a new value may take
 * its slot when every slot is taken; a value that series report under is never pushed out. So a burst of
 * values whose series were disposed (or a lookup of a value nobody reports) cannot lock real values out for
 * the life of the process. {@link OVERFLOW_LABEL_VALUE} itself never takes a slot.
 */
export class LabelGuard {
  private maxLength = 128;
  private maxValues = 100;
  /** Admitted values and how many series report under each ({@link PINNED} for {@link value}'s). */
  private readonly holds = new Map<string, number>();
  /** Admitted values no series reports under, longest idle first: the slots a new value may take. */
  private readonly idle = new Set<string>();

  constructor(options: LabelGuardOptions = {}) {
    this.configure(options);
  }

  /**
   * Changes the bounds. Values admitted so far stay admitted, except idle ones beyond a lowered `maxValues`;
   * the new bounds apply to values seen next.
   */
  configure(options: LabelGuardOptions): void {
    const maxLength = positiveInteger(options.maxLength ?? 128, 'maxLength');
    const maxValues = positiveInteger(options.maxValues ?? 100, 'maxValues');
    this.maxLength = maxLength;
    this.maxValues = maxValues;
    for (const value of this.idle) {
      if (this.holds.size <= maxValues) break;
      this.forget(value);
    }
  }

  /**
   * The value to report for `raw`: itself, cut to `maxLength`, or `other` once the budget is spent. A value
   * it returns as itself is admitted for good.
   */
  value(raw: string): string {
    const value = this.resolve(raw);
    if (value !== OVERFLOW_LABEL_VALUE) this.hold(value, PINNED);
    return value;
  }

  /**
   * What {@link acquire} would return for `raw` now, admitting nothing: for looking a series up, and for
   * guarding a label set before its series is made.
   */
  resolve(raw: string): string {
    const value = raw.length > this.maxLength ? raw.slice(0, this.maxLength) : raw;
    if (this.holds.has(value) || value === OVERFLOW_LABEL_VALUE) return value;
    return this.holds.size < this.maxValues || this.idle.size > 0 ? value : OVERFLOW_LABEL_VALUE;
  }

  /**
   * The value a new series with label value `raw` reports under (as {@link resolve}), held until
   * {@link release}: a value held by a series keeps its slot. When every slot is taken, the value idle the
   * longest gives its slot up.
   */
  acquire(raw: string): string {
    const value = this.resolve(raw);
    if (value !== OVERFLOW_LABEL_VALUE) this.hold(value, 1);
    return value;
  }

  /** A series that reported under `value` (as {@link acquire} returned it) is gone. */
  release(value: string): void {
    const holds = this.holds.get(value);
    if (holds === undefined || holds === PINNED) return;
    if (holds > 1) this.holds.set(value, holds - 1);
    else {
      this.holds.set(value, 0);
      this.idle.add(value);
    }
  }

  /** How many distinct values are admitted (idle ones included). */
  get size(): number {
    return this.holds.size;
  }

  private hold(value: string, count: number): void {
    const holds = this.holds.get(value);
    if (holds === undefined) {
      if (this.holds.size >= this.maxValues) {
        for (const oldest of this.idle) {
          this.forget(oldest);
          break;
        }
      }
      this.holds.set(value, count);
      return;
    }
    if (holds === 0) this.idle.delete(value);
    this.holds.set(value, holds + count);
  }

  private forget(value: string): void {
    this.idle.delete(value);
    this.holds.delete(value);
  }
}

function positiveInteger(value: number, what: string): number {
  return validateInteger(value, `label guard option ${what}`, { code: ErrorCode.INVALID_CONFIG, min: 1 });
}
