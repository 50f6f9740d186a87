import { describe, expect, it } from 'vitest';
import {
  cappedJson,
  chatInput,
  generateInput,
  OutputCollector,
  outputMessages,
  systemInstructions,
} from './content.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('messages as the GenAI conventions record them', () => {
  it('a chat history: text, reasoning, images without their bytes, tool calls and tool results', () => {
    expect(
      chatInput([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?', images: ['aGVsbG8='] },
        {
          role: 'assistant',
          content: '',
          thinking: 'Call the tool.',
          tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: { city: 'Oslo' } } }],
        },
        { role: 'tool', content: 'rainy', tool_name: 'get_weather', tool_call_id: 'call_1' },
        { role: 'tool', content: 'sunny' },
        null,
      ]),
    ).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'Weather?' },
          { type: 'blob', modality: 'image', content: '' },
        ],
      },
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Call the tool.' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } },
        ],
      },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: null, response: 'sunny' }] },
      { role: 'user', parts: [] },
    ]);
    expect(chatInput(undefined)).toEqual([]);
  });

  it('generate: the prompt as a user message, system as instructions', () => {
    expect(generateInput({ prompt: 'Hi', images: [new Uint8Array(3)] })).toEqual([
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'Hi' },
          { type: 'blob', modality: 'image', content: '' },
        ],
      },
    ]);
    expect(systemInstructions({ system: 'Be brief.' })).toEqual([{ type: 'text', content: 'Be brief.' }]);
    expect(systemInstructions({})).toBeUndefined();
  });

  it('an answer: one assistant message with its finish reason', () => {
    expect(
      outputMessages(
        {
          message: {
            content: 'It rains.',
            thinking: 'Easy.',
            tool_calls: [{ function: { name: 'f', arguments: {} } }],
          },
        },
        'stop',
        100,
      ),
    ).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Easy.' },
          { type: 'text', content: 'It rains.' },
          { type: 'tool_call', id: null, name: 'f', arguments: {} },
        ],
        finish_reason: 'stop',
      },
    ]);
    expect(outputMessages({ response: 'Hello', thinking: '' }, 'length', 100)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Hello' }], finish_reason: 'length' },
    ]);
  });

  it('a streamed answer keeps at most its cap of characters and says how long it was', () => {
    const collector = new OutputCollector(10);
    for (const word of ['one ', 'two ', 'three ', 'four']) collector.add({ message: { content: word } });
    collector.add({ message: null, response: undefined });
    const [message] = collector.messages('stop');
    expect(message!.parts).toEqual([{ type: 'text', content: 'one two th…[truncated, 18 characters]' }]);
  });
});

describe('cappedJson', () => {
  const history = (sizes: number[]) =>
    sizes.map((size, index) => ({
      role: index % 2 === 0 ? 'user' : 'assistant',
      parts: [{ type: 'text', content: 'x'.repeat(size) }],
    }));

  it('what fits is the whole JSON', () => {
    const value = history([10, 20]);
    expect(cappedJson(value, 1024)).toBe(JSON.stringify(value));
  });

  it('past the cap the longest texts are cut, the JSON stays whole and within the cap', () => {
    const value = history([100, 5000, 3000]);
    const json = cappedJson(value, 1024);
    expect(bytes(json)).toBeLessThanOrEqual(1024);
    expect(bytes(json)).toBeGreaterThan(900); // as much as fits, not far less
    const parsed = JSON.parse(json) as typeof value;
    expect(parsed.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const [short, long, longer] = parsed.map((message) => message.parts[0]?.content);
    expect(short).toBe('x'.repeat(100)); // short enough to stay whole
    expect(long).toMatch(/^x+…\[truncated, 5000 characters\]$/);
    expect(longer).toMatch(/^x+…\[truncated, 3000 characters\]$/);
  });

  it('the cap is in UTF-8 bytes, and a cut never splits a surrogate pair', () => {
    const value = [{ type: 'text', content: '😀'.repeat(2000) }];
    const json = cappedJson(value, 1024);
    expect(bytes(json)).toBeLessThanOrEqual(1024);
    const content = (JSON.parse(json) as typeof value)[0]!.content;
    expect(content).not.toContain('\ufffd');
    expect(content.replace(/…\[truncated, 4000 characters\]$/, '')).toMatch(/^(😀)+$/u);
  });

  it('a long history: the oldest messages are left out, then [] when not even one fits', () => {
    const value = history(Array.from({ length: 60 }, () => 10));
    const json = cappedJson(value, 1024);
    expect(bytes(json)).toBeLessThanOrEqual(1024);
    const parsed = JSON.parse(json) as typeof value;
    expect(parsed.length).toBeGreaterThan(5);
    expect(parsed.length).toBeLessThan(60);
    expect(parsed.at(-1)).toEqual(value.at(-1)); // the newest kept
    const huge = [
      { role: 'user', parts: Array.from({ length: 200 }, () => ({ type: 'text', content: '' })) },
    ];
    expect(cappedJson(huge, 1024)).toBe('[]');
  });
});
