import { post, type TestResponse } from './http.js';

/** How a streamed answer ended, as the client saw it: its `done` line, an `{"error"}` line, or neither. */
export type ClientStreamEnd = 'done' | 'error_line' | 'cut_off';

/**
 * Counts requests sent and answers received, by route and status, so a test can say that none was lost: every
 * request sent got an answer (`dropped` empty), every 5xx carries a typed `{"error": {"code"}}`.
 */
export class Tally {
  sent = 0;
  answered = 0;
  /** Requests whose connection failed without an answer (the gateway crashed or dropped them). */
  readonly dropped: string[] = [];
  /** Answers by `route status`, e.g. `/v1/chat 200`. */
  readonly byStatus: Record<string, number> = {};
  /** Whole answers by `x-cache` (`hit`, `miss`; streams say `bypass`). */
  readonly byCache: Record<string, number> = {};
  /** 5xx answers without an error code, and other answers a client could not act on. */
  readonly untyped: string[] = [];
  /** Streamed answers by how they ended. */
  readonly streams: Record<ClientStreamEnd, number> = { done: 0, error_line: 0, cut_off: 0 };
  private readonly running = new Set<Promise<unknown>>();

  /** POSTs and counts; resolves with the answer, or undefined when there was none. */
  send(base: string, path: string, body: Record<string, unknown>): Promise<TestResponse | undefined> {
    this.sent++;
    const sending = post(base, path, body).then(
      (response) => {
        this.count(path, body.stream === true, response);
        return response;
      },
      (error: unknown) => {
        this.dropped.push(
          `${path}: ${error instanceof Error ? `${error.message} ${error.cause ?? ''}` : error}`,
        );
        return undefined;
      },
    );
    this.running.add(sending);
    void sending.finally(() => this.running.delete(sending));
    return sending;
  }

  /** Waits for every request sent so far to be answered (or dropped). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Answers with this status (on any route when `route` is not given). */
  status(status: number, route?: string): number {
    return Object.entries(this.byStatus)
      .filter(([key]) => key.endsWith(` ${status}`) && (route === undefined || key.startsWith(`${route} `)))
      .reduce((sum, [, count]) => sum + count, 0);
  }

  private count(path: string, stream: boolean, response: TestResponse): void {
    this.answered++;
    const key = `${path} ${response.status}`;
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
    const cache = response.headers.get('x-cache');
    if (cache !== null) this.byCache[cache] = (this.byCache[cache] ?? 0) + 1;
    if (response.status >= 500) {
      const code = (response.json as { error?: { code?: unknown } } | undefined)?.error?.code;
      if (typeof code !== 'string') this.untyped.push(`${key}: ${response.text.slice(0, 200)}`);
    }
    if (stream && response.status === 200) this.streams[streamEnd(response.text)]++;
  }
}

/** How an NDJSON answer ended: its last line `done`, an `{"error"}` line, or anything else (cut off). */
export function streamEnd(text: string): ClientStreamEnd {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  try {
    const last = JSON.parse(lines.at(-1) ?? '') as { done?: boolean; error?: unknown };
    if (last.done === true) return 'done';
    if (typeof last.error === 'string') return 'error_line';
  } catch {
    // not JSON: cut off
  }
  return 'cut_off';
}
