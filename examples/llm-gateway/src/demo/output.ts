/** Where the demo prints: `process.stdout`, or a collecting sink in tests. */
export interface Output {
  write(text: string): unknown;
  /** A terminal gets one line updated in place; anything else (a pipe, a CI log) gets plain lines. */
  readonly isTTY?: boolean;
  /** A terminal's width: a progress line is cut to it, since a wrapped line cannot be redrawn in place. */
  readonly columns?: number;
}

/** Prints whole lines. */
export function println(out: Output, text = ''): void {
  out.write(`${text}\n`);
}

/**
 * A live progress line: redrawn in place on a terminal (`\r`, then clear to the end of the line), and on
 * anything else printed as a plain line every `plainEveryMs`, so a log gets a readable trace instead of
 * hundreds of redraws.
 */
export class ProgressLine {
  private lastPlain = Number.NEGATIVE_INFINITY;
  private current = '';

  constructor(
    private readonly out: Output,
    private readonly plainEveryMs = 2000,
  ) {}

  update(text: string): void {
    this.current = this.fit(text);
    if (this.out.isTTY) {
      this.out.write(`\r${this.current}\x1b[K`);
      return;
    }
    const now = performance.now();
    if (now - this.lastPlain < this.plainEveryMs) return;
    this.lastPlain = now;
    println(this.out, text);
  }

  /** Prints a line about something that just happened above the progress line, which stays below it. */
  event(text: string): void {
    if (!this.out.isTTY) {
      println(this.out, text);
      return;
    }
    this.out.write(`\r${text}\x1b[K\n`);
    if (this.current !== '') this.out.write(`${this.current}\x1b[K`);
  }

  /** The line's last state, then a line break (in full: it is not redrawn again, so it may wrap). */
  finish(text: string): void {
    if (this.out.isTTY) this.out.write(`\r${text}\x1b[K\n`);
    else println(this.out, text);
    this.lastPlain = Number.NEGATIVE_INFINITY;
    this.current = '';
  }

  private fit(text: string): string {
    const width = this.out.isTTY ? this.out.columns : undefined;
    return width !== undefined && width > 1 && text.length >= width ? `${text.slice(0, width - 2)}…` : text;
  }
}
