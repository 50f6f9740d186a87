import type { Tool, ToolCall } from '@sightglass/ollama';
import { invalidRequest } from './http-error.js';
import { checkKeys, type Fields, isObject } from './request-fields.js';

/** Bounds on tools: the tools of a chat, the calls of one message, the length of a tool's name. */
export const TOOL_LIMITS = Object.freeze({ tools: 64, calls: 64, nameLength: 200 });

function toolName(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidRequest(`${where} is required and must be a non-empty string`);
  }
  if (value.length > TOOL_LIMITS.nameLength) {
    throw invalidRequest(`${where} must be at most ${TOOL_LIMITS.nameLength} characters`);
  }
  return value;
}

/**
 * `tools` of a chat: functions the model may call, each `{type: "function", function: {name, description?,
 * parameters?}}` with `parameters` a JSON schema (passed on as given: Ollama reads it, and the cache key
 * covers it).
 */
export function optionalTools(body: Fields): Tool[] | undefined {
  const tools = body.tools;
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) throw invalidRequest('tools must be a list of tools');
  if (tools.length > TOOL_LIMITS.tools) throw invalidRequest(`tools may hold at most ${TOOL_LIMITS.tools}`);
  return tools.map((tool: unknown, index) => {
    const where = `tools[${index}]`;
    if (!isObject(tool)) throw invalidRequest(`${where} must be an object with type and function`);
    checkKeys(tool, ['type', 'function'], where);
    if (tool.type !== 'function') throw invalidRequest(`${where}.type must be "function"`);
    const fn = tool.function;
    if (!isObject(fn)) throw invalidRequest(`${where}.function must be an object with a name`);
    checkKeys(fn, ['name', 'description', 'parameters'], `${where}.function`);
    toolName(fn.name, `${where}.function.name`);
    if (fn.description !== undefined && typeof fn.description !== 'string') {
      throw invalidRequest(`${where}.function.description must be a string`);
    }
    if (fn.parameters !== undefined && !isObject(fn.parameters)) {
      throw invalidRequest(`${where}.function.parameters must be a JSON schema object`);
    }
    return tool as unknown as Tool;
  });
}

/**
 * `tool_calls` of an assistant message, sent back as the model made them: `{id?, function: {index?, name,
 * arguments}}`, `arguments` an object.
 */
export function optionalToolCalls(value: unknown, where: string): ToolCall[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidRequest(`${where} must be a list of tool calls`);
  if (value.length > TOOL_LIMITS.calls) {
    throw invalidRequest(`${where} may hold at most ${TOOL_LIMITS.calls} calls`);
  }
  return value.map((call: unknown, index) => {
    const at = `${where}[${index}]`;
    if (!isObject(call)) throw invalidRequest(`${at} must be an object with a function`);
    checkKeys(call, ['id', 'function'], at);
    if (call.id !== undefined && typeof call.id !== 'string')
      throw invalidRequest(`${at}.id must be a string`);
    const fn = call.function;
    if (!isObject(fn)) throw invalidRequest(`${at}.function must be an object with name and arguments`);
    checkKeys(fn, ['index', 'name', 'arguments'], `${at}.function`);
    const position = fn.index;
    if (
      position !== undefined &&
      !(typeof position === 'number' && Number.isInteger(position) && position >= 0)
    ) {
      throw invalidRequest(`${at}.function.index must be an integer ≥ 0`);
    }
    toolName(fn.name, `${at}.function.name`);
    if (!isObject(fn.arguments)) throw invalidRequest(`${at}.function.arguments must be an object`);
    return call as unknown as ToolCall;
  });
}
