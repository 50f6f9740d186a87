import { Ollama as OfficialOllama } from 'ollama';
import { describe, expect, it } from 'vitest';
import { client, collect, eventually, fakeOllama, poolSeries } from './test-support/servers.js';

const messages = [{ role: 'user', content: 'Why is the sky blue?' }];

describe('the same answers as the ollama package', () => {
  it('chat, streamed and not', async () => {
    const server = await fakeOllama();
    const ours = client({ host: server.url });
    const official = new OfficialOllama({ host: server.url });
    const reply = await ours.chat({ model: 'llama3.2', messages });
    const expected = await official.chat({ model: 'llama3.2', messages });
    expect({ ...reply, created_at: 0, total_duration: 0, load_duration: 0 }).toMatchObject({
      ...expected,
      created_at: 0,
      total_duration: 0,
      load_duration: 0,
      prompt_eval_duration: expect.any(Number),
      eval_duration: expect.any(Number),
    });
    expect(reply.message.role).toBe('assistant');
    expect(reply.done).toBe(true);
    const chunks = await collect(await ours.chat({ model: 'llama3.2', messages, stream: true }));
    expect(chunks.map((chunk) => chunk.message.content).join('')).toBe(reply.message.content);
    expect(chunks.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 32 });
  });

  it('generate, streamed and not', async () => {
    const server = await fakeOllama();
    const ours = client({ host: server.url });
    const reply = await ours.generate({ model: 'llama3.2', prompt: 'Hi', options: { num_predict: 5 } });
    expect(reply).toMatchObject({ model: 'llama3.2', done: true, done_reason: 'length', eval_count: 5 });
    expect(reply.context).toBeInstanceOf(Array);
    const stream = await ours.generate({
      model: 'llama3.2',
      prompt: 'Hi',
      stream: true,
      options: { num_predict: 5 },
    });
    const chunks = await collect(stream);
    expect(chunks).toHaveLength(6);
    expect(chunks.map((chunk) => chunk.response).join('')).toBe(reply.response);
  });

  it('embed, embeddings, list, show, ps, version', async () => {
    const server = await fakeOllama();
    const ours = client({ host: server.url });
    const official = new OfficialOllama({ host: server.url });
    const embed = await ours.embed({ model: 'nomic-embed-text', input: ['a b', 'c'] });
    expect(embed.embeddings).toHaveLength(2);
    expect(embed).toEqual(
      expect.objectContaining({ model: 'nomic-embed-text', prompt_eval_count: expect.any(Number) }),
    );
    const legacy = await ours.embeddings({ model: 'nomic-embed-text', prompt: 'a b' });
    expect(legacy.embedding).toEqual(
      (await official.embeddings({ model: 'nomic-embed-text', prompt: 'a b' })).embedding,
    );
    expect(await ours.list()).toEqual(await official.list());
    expect(await ours.show({ model: 'llama3.2' })).toEqual(await official.show({ model: 'llama3.2' }));
    const ps = await ours.ps();
    expect(ps.models.map((model) => model.name)).toContain('nomic-embed-text:latest');
    expect(await ours.version()).toEqual({ version: '0.32.15' });
  });

  it('pull, copy, delete, and images', async () => {
    const server = await fakeOllama();
    const ours = client({ host: server.url });
    expect(await ours.pull({ model: 'llama3.2' })).toEqual({ status: 'success' });
    const progress = await collect(await ours.pull({ model: 'llama3.2', stream: true }));
    expect(progress.at(-1)).toMatchObject({ status: 'success' });
    expect(progress.some((line) => line.digest !== undefined)).toBe(true);
    expect(await ours.copy({ source: 'llama3.2', destination: 'copy' })).toEqual({ status: 'success' });
    expect((await ours.list()).models.map((model) => model.name)).toContain('copy:latest');
    expect(await ours.delete({ model: 'copy' })).toEqual({ status: 'success' });
    expect((await ours.list()).models.map((model) => model.name)).not.toContain('copy:latest');
    const withImages = await ours.chat({
      model: 'llama3.2',
      messages: [
        { role: 'user', content: 'What is this?', images: [new Uint8Array([1, 2, 3])] },
        { role: 'user', content: 'And this?', images: ['AAAA'] },
      ],
    });
    expect(withImages.done).toBe(true);
    const generated = await ours.generate({ model: 'llama3.2', prompt: 'x', images: [new Uint8Array([1])] });
    expect(generated.done).toBe(true);
  });

  it('create and push reach the server (fake-ollama does not serve them: 404)', async () => {
    const server = await fakeOllama();
    const ours = client({ host: server.url });
    await expect(ours.create({ model: 'mine', from: 'llama3.2' })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 404,
    });
    await expect(ours.push({ model: 'mine', stream: true })).rejects.toMatchObject({ status_code: 404 });
  });

  it('a slow reader of a long stream gets every chunk in order, and its connection back', async () => {
    // 3000 tokens sent back to back queue far more lines than the reader keeps before it pauses the body.
    const server = await fakeOllama({ tokensPerSecond: Number.POSITIVE_INFINITY, tokensPerAnswer: 3000 });
    const ours = client({ host: server.url, connections: 1, name: 'slow-reader' });
    const official = new OfficialOllama({ host: server.url });
    const expected = await collect(
      await official.generate({ model: 'llama3.2', prompt: 'Go', stream: true }),
    );
    const chunks: string[] = [];
    for await (const chunk of await ours.generate({ model: 'llama3.2', prompt: 'Go', stream: true })) {
      chunks.push(chunk.response ?? '');
      // A real pause, bounded (6 × 20 ms): the socket keeps filling while the reader is away.
      if (chunks.length % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(chunks).toHaveLength(3001);
    expect(chunks.join('')).toBe(expected.map((chunk) => chunk.response).join(''));
    expect(ours.pool.stats.running).toBe(0);
    // The stream was read to its end, so its connection was kept and carries the next call.
    await ours.generate({ model: 'llama3.2', prompt: 'Go' });
    expect(poolSeries('slow-reader').opened).toBe(1);
  });

  it('steps like a generator: next() asked twice at once answers in order; ends with done; throw() stops it', async () => {
    const server = await fakeOllama({ tokensPerSecond: 200, tokensPerAnswer: 4 });
    const ours = client({ host: server.url, name: 'stepping' });
    const official = new OfficialOllama({ host: server.url });
    const expected = await collect(
      await official.generate({ model: 'llama3.2', prompt: 'Go', stream: true }),
    );
    const iterator = (await ours.generate({ model: 'llama3.2', prompt: 'Go', stream: true }))[
      Symbol.asyncIterator
    ]();
    // The first is still on its way when all are asked (200 tokens/s): the others wait, in order.
    const firsts = await Promise.all([iterator.next(), iterator.next(), iterator.next()]);
    expect(firsts.map((step) => step.value?.response)).toEqual(
      expected.slice(0, 3).map((chunk) => chunk.response),
    );
    const rest = [];
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) rest.push(step.value);
    expect(rest).toHaveLength(expected.length - 3);
    expect(rest.at(-1)).toMatchObject({ done: true });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(ours.pool.stats.running).toBe(0);

    const thrown = (await ours.generate({ model: 'llama3.2', prompt: 'Go', stream: true }))[
      Symbol.asyncIterator
    ]();
    await thrown.next();
    await expect(thrown.throw(new Error('stop'))).rejects.toThrow('stop');
    expect(await thrown.next()).toEqual({ value: undefined, done: true });
    await eventually(() => expect(ours.pool.stats.running).toBe(0));
  });

  it('frees its connection when disposed midway, as `await using` disposes a generator', async () => {
    const server = await fakeOllama({ tokensPerSecond: 200, tokensPerAnswer: 50 });
    const ours = client({ host: server.url, name: 'disposed' });
    const iterator = (await ours.generate({ model: 'llama3.2', prompt: 'Go', stream: true }))[
      Symbol.asyncIterator
    ]();
    expect((await iterator.next()).done).toBe(false);
    expect(ours.pool.stats.running).toBe(1);
    await iterator[Symbol.asyncDispose]();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    await eventually(() => expect(ours.pool.stats.running).toBe(0));
  });
});
