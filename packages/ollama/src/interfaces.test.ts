import type * as Official from 'ollama';
import { describe, expectTypeOf, it } from 'vitest';
import type { Ollama } from './client.js';
import type * as Ours from './index.js';
import type { AbortableAsyncIterator } from './stream.js';

// Checked by the typecheck (tsc over src/, tests included): these calls do nothing at run time.

describe('requests: what the official types accept, ours accept', () => {
  it('whole requests', () => {
    expectTypeOf<Official.ChatRequest>().toExtend<Ours.ChatRequest>();
    expectTypeOf<Official.GenerateRequest>().toExtend<Ours.GenerateRequest>();
    expectTypeOf<Official.EmbedRequest>().toExtend<Ours.EmbedRequest>();
    expectTypeOf<Official.EmbeddingsRequest>().toExtend<Ours.EmbeddingsRequest>();
    expectTypeOf<Official.ShowRequest>().toExtend<Ours.ShowRequest>();
    expectTypeOf<Official.CreateRequest>().toExtend<Ours.CreateRequest>();
    expectTypeOf<Official.PullRequest>().toExtend<Ours.PullRequest>();
    expectTypeOf<Official.Message>().toExtend<Ours.Message>();
    expectTypeOf<Official.Tool>().toExtend<Ours.Tool>();
    expectTypeOf<Official.ToolCall>().toExtend<Ours.ToolCall>();
    expectTypeOf<Official.Options>().toEqualTypeOf<Ours.Options>();
  });

  it('tools, format, think, images, logprobs, field by field', () => {
    expectTypeOf<Official.ChatRequest['tools']>().toExtend<Ours.ChatRequest['tools']>();
    expectTypeOf<Official.ChatRequest['format']>().toEqualTypeOf<Ours.ChatRequest['format']>();
    expectTypeOf<Official.GenerateRequest['format']>().toEqualTypeOf<Ours.GenerateRequest['format']>();
    expectTypeOf<Official.ChatRequest['think']>().toExtend<Ours.ChatRequest['think']>();
    expectTypeOf<Official.GenerateRequest['think']>().toExtend<Ours.GenerateRequest['think']>();
    expectTypeOf<Official.Message['images']>().toEqualTypeOf<Ours.Message['images']>();
    expectTypeOf<Official.GenerateRequest['images']>().toEqualTypeOf<Ours.GenerateRequest['images']>();
    expectTypeOf<Official.Message['tool_name']>().toEqualTypeOf<Ours.Message['tool_name']>();
    expectTypeOf<Official.Message['thinking']>().toEqualTypeOf<Ours.Message['thinking']>();
    expectTypeOf<Official.ChatRequest['logprobs']>().toEqualTypeOf<Ours.ChatRequest['logprobs']>();
    expectTypeOf<Official.ChatRequest['top_logprobs']>().toEqualTypeOf<Ours.ChatRequest['top_logprobs']>();
    expectTypeOf<Official.ChatRequest['keep_alive']>().toEqualTypeOf<Ours.ChatRequest['keep_alive']>();
  });

  it('a request written for the official client compiles against ours, literal and all', () => {
    const request = {
      model: 'qwen3',
      messages: [
        { role: 'user', content: 'Weather in Oslo?', images: [new Uint8Array([1])] },
        {
          role: 'assistant',
          content: '',
          thinking: 'They ask for the weather.',
          tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }],
        },
        { role: 'tool', content: '11 degrees', tool_name: 'get_weather' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'The weather',
            parameters: {
              type: 'object',
              required: ['city'],
              properties: { city: { type: 'string', description: 'A city', enum: ['Oslo'] } },
            },
          },
        },
      ],
      format: { type: 'object', properties: { answer: { type: 'string' } } },
      think: 'high',
      logprobs: true,
      top_logprobs: 2,
      keep_alive: '5m',
      options: { temperature: 0, seed: 1 },
    } satisfies Official.ChatRequest;
    expectTypeOf(request).toExtend<Ours.ChatRequest>();
  });

  it("the fields Ollama takes that the official types lack are ours only (and 'max')", () => {
    expectTypeOf<'max'>().toExtend<Ours.Think>();
    expectTypeOf<'max'>().not.toExtend<NonNullable<Official.ChatRequest['think']>>();
    expectTypeOf<{ role: 'tool'; content: ''; tool_call_id: 'call_1' }>().toExtend<Ours.Message>();
    expectTypeOf<Ours.ChatRequest['truncate']>().toEqualTypeOf<boolean | undefined>();
  });
});

describe('answers: ours stand for the official ones, and the other way round', () => {
  it('whole answers', () => {
    expectTypeOf<Ours.ChatResponse>().toExtend<Official.ChatResponse>();
    expectTypeOf<Official.ChatResponse>().toExtend<Ours.ChatResponse>();
    expectTypeOf<Ours.GenerateResponse>().toExtend<Official.GenerateResponse>();
    expectTypeOf<Official.GenerateResponse>().toExtend<Ours.GenerateResponse>();
    expectTypeOf<Ours.EmbedResponse>().toExtend<Official.EmbedResponse>();
    expectTypeOf<Ours.ShowResponse>().toExtend<Official.ShowResponse>();
    expectTypeOf<Ours.ListResponse>().toExtend<Official.ListResponse>();
    expectTypeOf<Ours.ModelResponse>().toExtend<Official.ModelResponse>();
    expectTypeOf<Ours.ProgressResponse>().toExtend<Official.ProgressResponse>();
    expectTypeOf<Ours.StatusResponse>().toExtend<Official.StatusResponse>();
  });

  it('tool calls, thinking, logprobs and capabilities, field by field', () => {
    expectTypeOf<Ours.ChatResponse['message']['tool_calls']>().toExtend<
      Official.ChatResponse['message']['tool_calls']
    >();
    expectTypeOf<Ours.ToolCall['function']['name']>().toEqualTypeOf<string>();
    expectTypeOf<Ours.ToolCall['function']['arguments']>().toExtend<
      Official.ToolCall['function']['arguments']
    >();
    expectTypeOf<Ours.ChatResponse['message']['thinking']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Ours.GenerateResponse['thinking']>().toEqualTypeOf<Official.GenerateResponse['thinking']>();
    expectTypeOf<Ours.ChatResponse['logprobs']>().toExtend<Official.ChatResponse['logprobs']>();
    expectTypeOf<Ours.Logprob>().toExtend<Official.Logprob>();
    expectTypeOf<Ours.ShowResponse['capabilities']>().toEqualTypeOf<Official.ShowResponse['capabilities']>();
    expectTypeOf<Ours.ModelResponse['capabilities']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<Ours.ModelResponse['context_length']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Ours.ModelResponse['expires_at']>().toEqualTypeOf<Official.ModelResponse['expires_at']>();
    expectTypeOf<Ours.ModelResponse['size_vram']>().toEqualTypeOf<Official.ModelResponse['size_vram']>();
  });
});

describe('the methods answer as the official ones do', () => {
  type Request = Ours.ChatRequest & { stream: true };
  it('streamed: an AbortableAsyncIterator of chunks; else one answer', () => {
    expectTypeOf<ReturnType<Ollama['chat']>>().toEqualTypeOf<Promise<Ours.ChatResponse>>();
    expectTypeOf<Ollama['chat']>().parameter(0).toExtend<Ours.ChatRequest>();
    const chat = (ollama: Ollama, request: Request) => ollama.chat(request);
    expectTypeOf(chat).returns.resolves.toEqualTypeOf<AbortableAsyncIterator<Ours.ChatResponse>>();
    expectTypeOf<AbortableAsyncIterator<Ours.ChatResponse>>().toExtend<
      AsyncIterable<Official.ChatResponse>
    >();
    expectTypeOf<AbortableAsyncIterator<Ours.ChatResponse>['abort']>().toEqualTypeOf<() => void>();
    expectTypeOf<Ollama['encodeImage']>().toExtend<Official.Ollama['encodeImage']>();
  });
});
