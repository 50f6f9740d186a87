import type { Check } from './scenes.js';

/** The demo's tool: the weather in a city (the model picks one of three), answered from a table below. */
export const WEATHER_TOOL = Object.freeze({
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: {
      type: 'object',
      required: ['city'],
      properties: { city: { type: 'string', enum: ['Paris', 'Lisbon', 'Oslo'] } },
    },
  },
});

/** The schema of the structured answer: a forecast object. */
export const FORECAST_SCHEMA = Object.freeze({
  type: 'object',
  required: ['city', 'celsius', 'conditions'],
  properties: {
    city: { type: 'string' },
    celsius: { type: 'number' },
    conditions: { type: 'string', enum: ['sunny', 'cloudy', 'rain'] },
  },
});

const WEATHER: Readonly<Record<string, { celsius: number; conditions: string }>> = {
  Paris: { celsius: 17, conditions: 'cloudy' },
  Lisbon: { celsius: 22, conditions: 'sunny' },
  Oslo: { celsius: 6, conditions: 'rain' },
};

/** The tool itself: what `get_weather` returns for the arguments the model chose. */
export function getWeather(args: Record<string, unknown>): { celsius: number; conditions: string } {
  return WEATHER[String(args.city)] ?? { celsius: 15, conditions: 'cloudy' };
}

/** A chat with a tool, round the loop: the model's call, the tool's result sent back, the final answer. */
export interface ToolCallShown {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  readonly result: object;
  readonly answer: string;
}

/** A structured answer: the content parsed, and whether it has the schema's fields with their types. */
export interface StructuredShown {
  readonly value: unknown;
  readonly fits: boolean;
}

/**
 * A part that did not run, and why: `excused` when that is no failure of the gateway (the model lacks the
 * capability, 400 `capability_unsupported`, e.g. `--model` names one without tools; or Ctrl-C).
 */
export interface NotShown {
  readonly skipped: string;
  readonly excused: boolean;
}

/** What the showcase showed. */
export interface ShowcaseResult {
  readonly toolCall: ToolCallShown | NotShown;
  readonly structured: StructuredShown | NotShown;
}

interface ChatAnswer {
  message?: {
    content?: string;
    tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: Record<string, unknown> } }>;
  };
}

type Post = (body: object) => Promise<ChatAnswer>;

/** A gateway's error as one line: `400 capability_unsupported: "x" does not support tools`. */
class ShowcaseError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

function poster(base: string, signal: AbortSignal): Post {
  return async (body) => {
    const response = await fetch(`${base}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
    const json = (await response.json()) as ChatAnswer & { error?: { code?: string; message?: string } };
    if (!response.ok) {
      const code = json.error?.code;
      throw new ShowcaseError(`${response.status} ${code}: ${json.error?.message ?? ''}`.trim(), code);
    }
    return json;
  };
}

async function toolCall(post: Post, model: string): Promise<ToolCallShown> {
  const question = { role: 'user', content: 'What is the weather like in Lisbon? Use get_weather.' };
  const first = await post({ model, messages: [question], tools: [WEATHER_TOOL] });
  const call = first.message?.tool_calls?.[0];
  if (call?.function?.name === undefined)
    throw new ShowcaseError('the model answered without calling the tool');
  const args = call.function.arguments ?? {};
  const result = getWeather(args);
  const final = await post({
    model,
    tools: [WEATHER_TOOL],
    messages: [
      question,
      first.message,
      {
        role: 'tool',
        content: JSON.stringify(result),
        tool_name: call.function.name,
        ...(call.id === undefined ? {} : { tool_call_id: call.id }),
      },
    ],
  });
  return { name: call.function.name, arguments: args, result, answer: final.message?.content ?? '' };
}

/** Whether `value` has every property of {@link FORECAST_SCHEMA} with its type (and enum). */
export function fitsForecast(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { city, celsius, conditions } = value as Record<string, unknown>;
  return (
    typeof city === 'string' &&
    typeof celsius === 'number' &&
    FORECAST_SCHEMA.properties.conditions.enum.includes(String(conditions))
  );
}

async function structured(post: Post, model: string): Promise<StructuredShown> {
  const answer = await post({
    model,
    messages: [{ role: 'user', content: "Tomorrow's forecast for Oslo, as JSON." }],
    format: FORECAST_SCHEMA,
  });
  const value = JSON.parse(answer.message?.content ?? '') as unknown;
  return { value, fits: fitsForecast(value) };
}

function notShown(signal: AbortSignal): (error: unknown) => NotShown {
  return (error) => {
    if (signal.aborted && !(error instanceof ShowcaseError)) return { skipped: 'interrupted', excused: true };
    const refused = error instanceof ShowcaseError && error.code === 'capability_unsupported';
    const reason = error instanceof ShowcaseError ? error.message : `failed: ${(error as Error).message}`;
    return { skipped: reason.slice(0, 160), excused: refused };
  };
}

function clip(text: string, length = 72): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/**
 * Asks the gateway two of today's Ollama requests once each, during the steady scene: a chat with a
 * `get_weather` tool (the model's call, the tool's result sent back, the final answer), and a chat whose
 * `format` is a JSON schema (the answer parsed). Prints what happened through `print`, never throws.
 */
export async function runShowcase(
  base: string,
  model: string,
  print: (lines: readonly string[]) => void,
  signal: AbortSignal,
): Promise<ShowcaseResult> {
  const post = poster(base, signal);
  const [tool, answer] = await Promise.all([
    toolCall(post, model).catch(notShown(signal)),
    structured(post, model).catch(notShown(signal)),
  ]);
  if ('skipped' in tool) print([`tool call   not shown: ${tool.skipped}`]);
  else {
    print([
      `tool call   model → ${tool.name}(${JSON.stringify(tool.arguments)})`,
      `            tool  → ${JSON.stringify(tool.result)}`,
      `            model → "${clip(tool.answer)}"`,
    ]);
  }
  if ('skipped' in answer) print([`structured  not shown: ${answer.skipped}`]);
  else {
    const verdict = answer.fits ? 'parsed, fits the schema' : 'parsed, does NOT fit the schema';
    print([`structured  ${clip(JSON.stringify(answer.value), 90)}  (${verdict})`]);
  }
  return { toolCall: tool, structured: answer };
}

/**
 * The steady scene's claims about the showcase. A part the model refused (it has no tools, say) or Ctrl-C
 * cut short is left out: that is not the gateway; any other failure is a failed claim.
 */
export function showcaseChecks(result: ShowcaseResult): Check[] {
  const checks: Check[] = [];
  const { toolCall: tool, structured: answer } = result;
  const toolClaim = 'a tool call went round the loop';
  if (!('skipped' in tool)) {
    checks.push({
      claim: toolClaim,
      ok: tool.answer !== '',
      detail: `${tool.name} called, its result sent back, the answer ${tool.answer.length} characters`,
    });
  } else if (!tool.excused) {
    checks.push({ claim: toolClaim, ok: false, detail: tool.skipped });
  }
  const structuredClaim = 'the structured answer fits its schema';
  if (!('skipped' in answer)) {
    const fields = typeof answer.value === 'object' && answer.value !== null ? Object.keys(answer.value) : [];
    checks.push({ claim: structuredClaim, ok: answer.fits, detail: fields.join(', ') || 'not an object' });
  } else if (!answer.excused) {
    checks.push({ claim: structuredClaim, ok: false, detail: answer.skipped });
  }
  return checks;
}
