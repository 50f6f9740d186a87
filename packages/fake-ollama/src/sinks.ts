import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ChunkFaultPlan } from './faults.js';
import { JSON_CONTENT_TYPE, NDJSON_CONTENT_TYPE, sendError, sendJson } from './responses.js';
import { untilAborted } from './sleep.js';

/** Whether the answer goes on (`'ok'`) or has ended, by a fault, an error or the client leaving. */
export type SinkResult = 'ok' | 'stopped';

/**
 * Where a streamable answer's lines go: the wire (NDJSON) or a buffer that becomes one JSON object. Both
 * count lines the same way and apply the request's chunk faults before line N, so a fault means the same
 * with and without `stream`.
 */
export interface ChunkSink {
  /** One line that is not the last: a token chunk or a progress update. */
  chunk(value: object): Promise<SinkResult>;
  /** The last line (`done: true`, or status `success`), which ends the answer. */
  finish(value: object): Promise<SinkResult>;
  /**
   * Ends the answer with an error, as Ollama does: an HTTP error status while nothing has been sent, an
   * `{"error"}` line under the 200 once streaming has begun.
   */
  fail(message: string, status?: number): void;
}

/** A malformed line: the first half of a real one, as a connection cut inside a chunk would leave it. */
export function cutOff(json: string): string {
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}

/** Streams lines as `application/x-ndjson`; the 200 and headers go out with the first line, as in Gin. */
export class StreamSink implements ChunkSink {
  #lines = 0;
  /** Settles when the last line written has reached the socket. */
  #flushed: Promise<void> = Promise.resolve();

  constructor(
    private readonly response: ServerResponse,
    private readonly signal: AbortSignal,
    private readonly faults: ChunkFaultPlan | undefined,
  ) {}

  async chunk(value: object): Promise<SinkResult> {
    if ((await this.#beforeLine(value)) === 'stopped') return 'stopped';
    return this.#write(`${JSON.stringify(value)}\n`);
  }

  async finish(value: object): Promise<SinkResult> {
    const result = await this.chunk(value);
    if (result === 'ok') this.response.end();
    return result;
  }

  fail(message: string, status = 500): void {
    if (this.response.destroyed || this.response.writableEnded) return;
    if (!this.response.headersSent) sendError(this.response, status, message);
    else this.response.end(`${JSON.stringify({ error: message })}\n`);
  }

  async #beforeLine(value: object): Promise<SinkResult> {
    if (this.signal.aborted || this.response.destroyed) return 'stopped';
    switch (this.faults?.at(this.#lines)) {
      case 'drop':
        // Let the lines already written reach the client first, so it gets exactly N before the cut.
        await Promise.race([this.#flushed, untilAborted(this.signal)]);
        this.response.destroy();
        return 'stopped';
      case 'stall':
        // Keep the connection open and silent until the client gives up or the server closes.
        await untilAborted(this.signal);
        return 'stopped';
      case 'error':
        this.fail(this.faults!.errorMessage);
        return 'stopped';
      case 'malformed':
        return this.#write(`${cutOff(JSON.stringify(value))}\n`, false);
      default:
        return 'ok';
    }
  }

  async #write(line: string, counts = true): Promise<SinkResult> {
    if (!this.response.headersSent) {
      this.response.writeHead(200, { 'content-type': NDJSON_CONTENT_TYPE });
    }
    if (counts) this.#lines++;
    let flushed!: () => void;
    this.#flushed = new Promise((resolve) => {
      flushed = resolve;
    });
    if (!this.response.write(line, () => flushed())) {
      try {
        await once(this.response, 'drain', { signal: this.signal });
      } catch {
        return 'stopped';
      }
    }
    return this.signal.aborted || this.response.destroyed ? 'stopped' : 'ok';
  }
}

/**
 * Collects an answer for `stream: false` and sends only the last object, counting lines like
 * {@link StreamSink} so the same chunk faults act at the same point of the generation.
 */
export class BufferSink implements ChunkSink {
  #lines = 0;
  #malformed = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly signal: AbortSignal,
    private readonly faults: ChunkFaultPlan | undefined,
    private readonly contentType: string = JSON_CONTENT_TYPE,
  ) {}

  async chunk(): Promise<SinkResult> {
    const result = await this.#beforeLine();
    this.#lines++;
    return result;
  }

  async finish(value: object): Promise<SinkResult> {
    if ((await this.chunk()) === 'stopped') return 'stopped';
    if (this.#malformed) {
      const body = cutOff(JSON.stringify(value));
      this.response.writeHead(200, {
        'content-type': this.contentType,
        'content-length': Buffer.byteLength(body),
      });
      this.response.end(body);
    } else {
      sendJson(this.response, 200, value, this.contentType);
    }
    return 'ok';
  }

  fail(message: string, status = 500): void {
    if (!this.response.headersSent && !this.response.destroyed) sendError(this.response, status, message);
  }

  async #beforeLine(): Promise<SinkResult> {
    if (this.signal.aborted || this.response.destroyed) return 'stopped';
    switch (this.faults?.at(this.#lines)) {
      case 'drop':
        this.response.destroy();
        return 'stopped';
      case 'stall':
        await untilAborted(this.signal);
        return 'stopped';
      case 'error':
        this.fail(this.faults!.errorMessage);
        return 'stopped';
      case 'malformed':
        this.#malformed = true;
        return 'ok';
      default:
        return 'ok';
    }
  }
}
