import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  ListResponse,
  ShowRequest,
  ShowResponse,
} from 'ollama';

/**
 * The calls the transcript makes, typed with the `ollama` package's own request and answer types: both the
 * official client and ours must fit it, so a request it takes that ours does not, or an answer of ours that
 * cannot stand for its answer, fails the typecheck.
 */
export interface TranscriptClient {
  chat(request: ChatRequest & { stream: true }): Promise<AsyncIterable<ChatResponse>>;
  chat(request: ChatRequest & { stream?: false }): Promise<ChatResponse>;
  generate(request: GenerateRequest & { stream: true }): Promise<AsyncIterable<GenerateResponse>>;
  generate(request: GenerateRequest & { stream?: false }): Promise<GenerateResponse>;
  embed(request: EmbedRequest): Promise<EmbedResponse>;
  show(request: ShowRequest): Promise<ShowResponse>;
  list(): Promise<ListResponse>;
  ps(): Promise<ListResponse>;
}

/**
 * Fields whose values the fake measures or stamps afresh on every request, so two identical calls differ
 * in them: timestamps (`created_at`; `expires_at` of `/api/ps`, now plus `keep_alive`) and measured
 * durations in nanoseconds. Their values are not compared; each must still be present in both answers or
 * in neither, and be a valid timestamp or a whole number of nanoseconds.
 */
export const VARYING_FIELDS: Readonly<Record<string, 'timestamp' | 'nanoseconds'>> = Object.freeze({
  created_at: 'timestamp',
  expires_at: 'timestamp',
  total_duration: 'nanoseconds',
  load_duration: 'nanoseconds',
  prompt_eval_duration: 'nanoseconds',
  eval_duration: 'nanoseconds',
});

/** What the official client lets a caller see of an error, and so what ours must show the same way. */
export const ERROR_FIELDS: readonly string[] = ['name', 'message', 'error', 'status_code'];

/** Fields our errors carry besides those: the stable `code` (the official client's errors have none). */
export const OUR_ERROR_FIELDS: readonly string[] = ['code'];

/**
 * A thrown error as plain data: its class, whether it is an `Error`, the {@link ERROR_FIELDS}, and any other
 * own field (so a field the official client starts to set shows up as a difference).
 */
export function thrownShape(error: unknown): { thrown: Record<string, unknown> } {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const thrown: Record<string, unknown> = {
    class: (error as object | null)?.constructor?.name,
    isError: error instanceof Error,
    other: Object.keys(fields)
      .filter((key) => !ERROR_FIELDS.includes(key) && !OUR_ERROR_FIELDS.includes(key))
      .sort(),
  };
  for (const key of ERROR_FIELDS) thrown[key] = fields[key];
  return { thrown };
}

/**
 * What a call answered, as data to compare: a single answer as it is; a stream as its chunks in order
 * (and the error that ended it, if one did); a call that threw as its {@link thrownShape}.
 */
export async function answerOf(call: () => Promise<unknown>): Promise<unknown> {
  let answer: unknown;
  try {
    answer = await call();
  } catch (error) {
    return thrownShape(error);
  }
  if (typeof answer !== 'object' || answer === null || !(Symbol.asyncIterator in answer)) return answer;
  const chunks: unknown[] = [];
  try {
    for await (const chunk of answer as AsyncIterable<unknown>) chunks.push(chunk);
  } catch (error) {
    return { chunks, ended: thrownShape(error) };
  }
  return { chunks };
}

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

function checkVarying(kind: 'timestamp' | 'nanoseconds', value: unknown): boolean {
  if (kind === 'timestamp') return typeof value === 'string' && !Number.isNaN(Date.parse(value));
  return Number.isInteger(value) && (value as number) >= 0;
}

/**
 * Every difference between the official client's answer and ours, field by field, as `path: what` lines
 * (empty when they agree): a field one has and the other lacks, a different type, length or value. The
 * {@link VARYING_FIELDS} are compared by presence and kind only.
 */
export function differences(official: unknown, ours: unknown, path = '$'): string[] {
  const found: string[] = [];
  const kind = kindOf(official);
  if (kind !== kindOf(ours)) {
    found.push(`${path}: official is ${kind}, ours is ${kindOf(ours)}`);
    return found;
  }
  if (kind === 'array') {
    const a = official as unknown[];
    const b = ours as unknown[];
    if (a.length !== b.length) found.push(`${path}: official has ${a.length} items, ours ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      found.push(...differences(a[i], b[i], `${path}[${i}]`));
    }
    return found;
  }
  if (kind === 'object') {
    const a = official as Record<string, unknown>;
    const b = ours as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const where = `${path}.${key}`;
      if (!(key in b)) found.push(`${where}: missing in ours`);
      else if (!(key in a)) found.push(`${where}: only in ours`);
      else if (VARYING_FIELDS[key] !== undefined) {
        const varying = VARYING_FIELDS[key]!;
        if (!checkVarying(varying, a[key]) || !checkVarying(varying, b[key])) {
          found.push(`${where}: not a ${varying} (${JSON.stringify(a[key])} / ${JSON.stringify(b[key])})`);
        }
      } else found.push(...differences(a[key], b[key], where));
    }
    return found;
  }
  if (!Object.is(official, ours)) {
    found.push(`${path}: official ${JSON.stringify(official)}, ours ${JSON.stringify(ours)}`);
  }
  return found;
}
