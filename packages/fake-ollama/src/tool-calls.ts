import { fullModelName } from './names.js';
import type { ResolvedModel } from './options.js';
import { mulberry32, seedFrom } from './prng.js';
import { schemaValue } from './schema-value.js';

/**
 * A tool call as Ollama sends it in `message.tool_calls` (api.ToolCall on main): an `id` (`call_` and
 * eight letters or digits; random in Ollama, derived from the seed here), and the function's `index`
 * among the answer's calls, `name` and `arguments` object.
 */
export interface ToolCall {
  readonly id: string;
  readonly function: {
    readonly index: number;
    readonly name: string;
    readonly arguments: Record<string, unknown>;
  };
}

/** A tool of the request, as far as the fake reads it. */
interface Tool {
  readonly function: { readonly name?: string; readonly parameters?: Record<string, unknown> };
}

const goType = (value: unknown): string =>
  Array.isArray(value)
    ? 'array'
    : value === null
      ? 'null'
      : typeof value === 'boolean'
        ? 'bool'
        : typeof value;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const unmarshal = (value: unknown, field: string, type: string): string =>
  `json: cannot unmarshal ${goType(value)} into Go struct field ${field} of type ${type}`;

/**
 * Go's decoder error for `tools` of the wrong shape (not a list, a tool that is not an object, a
 * `function`, `name` or `parameters` of the wrong type), or `undefined` when they decode.
 */
export function toolsError(tools: unknown): string | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) return unmarshal(tools, 'ChatRequest.tools', 'api.Tools');
  for (const tool of tools) {
    if (tool === null) continue;
    if (!isObject(tool)) return unmarshal(tool, 'ChatRequest.tools', 'api.Tool');
    const fn = tool.function;
    if (fn === undefined || fn === null) continue;
    if (!isObject(fn)) return unmarshal(fn, 'Tool.tools.function', 'api.ToolFunction');
    if (fn.name !== undefined && fn.name !== null && typeof fn.name !== 'string') {
      return unmarshal(fn.name, 'ToolFunction.tools.function.name', 'string');
    }
    const parameters = fn.parameters;
    if (parameters !== undefined && parameters !== null && !isObject(parameters)) {
      return unmarshal(parameters, 'ToolFunction.tools.function.parameters', 'api.ToolFunctionParameters');
    }
  }
  return undefined;
}

/**
 * Ollama's refusal of `tools` for a model without the `tools` capability: 400 with the model's full name,
 * `registry.ollama.ai/library/gemma3:latest does not support tools` (scheduleRunner wraps
 * CheckCapabilities' error with `model.Name`).
 */
export function toolsRefusal(model: ResolvedModel): string {
  return `${fullModelName(model.name)} does not support tools`;
}

/**
 * The calls a tool-capable model makes, deterministically: every tool whose name the last user message
 * mentions, in the order of `tools`; when it names none, one tool picked by `seed`. Arguments are made
 * from each tool's `parameters` schema (every property filled in, values that fit); a schema the fake
 * cannot read, or one past its limits (`SCHEMA_LIMITS` in schema-value.ts), gives `{}` (Ollama does not
 * check tool schemas either: the model just calls the tool).
 */
export function chooseToolCalls(tools: readonly unknown[], lastUserText: string, seed: number): ToolCall[] {
  const usable = tools.filter((tool): tool is Tool => isObject(tool) && isObject(tool.function));
  if (usable.length === 0) return [];
  const named = usable.filter((tool) => {
    const name = tool.function.name;
    return typeof name === 'string' && name !== '' && lastUserText.includes(name);
  });
  const chosen = named.length > 0 ? named : [usable[Math.floor(mulberry32(seed)() * usable.length)]!];
  return chosen.map((tool, index) => {
    const random = mulberry32(seedFrom(seed, 'call', index));
    const id = Array.from(
      { length: 8 },
      () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 36)],
    );
    return {
      id: `call_${id.join('')}`,
      function: { index, name: tool.function.name ?? '', arguments: toolArguments(tool, random) },
    };
  });
}

function toolArguments(tool: Tool, random: () => number): Record<string, unknown> {
  const parameters = tool.function.parameters;
  if (!isObject(parameters)) return {};
  try {
    const value = schemaValue({ ...parameters, type: 'object' }, random);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

/** The text a model writes for a call before Ollama's tool parser turns it into `tool_calls`. */
export function toolCallText(call: ToolCall): string {
  return JSON.stringify({ name: call.function.name, arguments: call.function.arguments });
}
