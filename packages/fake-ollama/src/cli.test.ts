import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLI_PORT, parseCliArgs, USAGE } from './cli-args.js';
import { type CliIo, runCli } from './cli-run.js';
import { FakeOllamaErrorCode } from './errors.js';

describe('parseCliArgs', () => {
  it("defaults to Ollama's port and the default models", () => {
    expect(parseCliArgs([])).toEqual({ help: false, options: { port: DEFAULT_CLI_PORT } });
    expect(parseCliArgs(['-h'])).toEqual({ help: true });
  });

  it('reads every flag into options', () => {
    const request = parseCliArgs([
      '--host=0.0.0.0',
      '--port=0',
      '--tps=inf',
      '--ttft-ms=5',
      '--tokens=12',
      '--load-ms=100',
      '--seed=3',
      '--parallel=2',
      '--max-queue=8',
      '--ollama-version=0.9.0',
      '--admin',
      '--error-status=503',
      '--error-rate=0.1',
      '--latency-ms=20',
    ]);
    expect(request).toEqual({
      help: false,
      options: {
        host: '0.0.0.0',
        port: 0,
        tokensPerSecond: Number.POSITIVE_INFINITY,
        ttftMs: 5,
        tokensPerAnswer: 12,
        loadDurationMs: 100,
        seed: 3,
        parallel: 2,
        maxQueue: 8,
        version: '0.9.0',
        admin: true,
        faults: { errorStatus: 503, errorRate: 0.1, addedLatencyMs: 20 },
      },
    });
  });

  it('builds chat and embedding models, keeping the details of a default one', () => {
    const request = parseCliArgs([
      '--model',
      'llama3.2',
      '--model',
      'qwen3:8b',
      '--embed-model',
      'nomic-embed-text',
    ]);
    expect(request.help === false && request.options.models).toEqual([
      expect.objectContaining({ name: 'llama3.2', family: 'llama', capabilities: ['completion', 'tools'] }),
      { name: 'qwen3:8b', capabilities: ['completion'] },
      expect.objectContaining({
        name: 'nomic-embed-text',
        embeddingLength: 768,
        capabilities: ['embedding'],
      }),
    ]);
  });

  it('rejects unknown flags and values that are not numbers', () => {
    expect(() => parseCliArgs(['--speed', '3'])).toThrow(
      expect.objectContaining({ code: FakeOllamaErrorCode.INVALID_OPTION }),
    );
    expect(() => parseCliArgs(['--tps', 'fast'])).toThrow('--tps must be a number, got "fast"');
    expect(() => parseCliArgs(['--port', ''])).toThrow('--port must be a number');
  });
});

/** An in-memory CliIo whose stop signal the test fires. */
function memoryIo(): CliIo & { out: string[]; err: string[]; stop: () => void } {
  let stop = (): void => {};
  const io = {
    out: [] as string[],
    err: [] as string[],
    stdout: (text: string) => io.out.push(text),
    stderr: (text: string) => io.err.push(text),
    onStopSignal: (callback: () => void) => {
      stop = callback;
    },
    stop: () => stop(),
  };
  return io;
}

describe('runCli', () => {
  it('prints the URL, serves until the stop signal, then exits 0', async () => {
    const io = memoryIo();
    const exit = runCli(['--port', '0', '--tps', '1000'], io);
    await expect.poll(() => io.out.join('')).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = /http:\/\/\S+/.exec(io.out.join(''))![0];
    expect(await (await fetch(`${url}/api/version`)).json()).toEqual({ version: expect.any(String) });
    io.stop();
    expect(await exit).toBe(0);
    expect(io.out.join('')).toContain('stopped');
  });

  it('prints help, and exits 2 with the usage for bad arguments and 1 when it cannot start', async () => {
    const help = memoryIo();
    expect(await runCli(['--help'], help)).toBe(0);
    expect(help.out.join('')).toBe(USAGE);
    const bad = memoryIo();
    expect(await runCli(['--nope'], bad)).toBe(2);
    expect(bad.err.join('')).toContain("Unknown option '--nope'");
    expect(bad.err.join('')).toContain('Usage:');
    const invalid = memoryIo();
    expect(await runCli(['--port', '0', '--tps=-1'], invalid)).toBe(1);
    expect(invalid.err.join('')).toContain('tokensPerSecond must be a number greater than 0');
  });
});

describe('the built binary', () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

  it('starts, serves and stops cleanly on SIGINT', async () => {
    expect(existsSync(cli), 'dist/cli.js is missing: run the build first (pnpm build)').toBe(true);
    const child: ChildProcess = spawn(process.execPath, [cli, '--port', '0', '--ttft-ms', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await expect.poll(() => output, { timeout: 10_000 }).toMatch(/http:\/\/\S+/);
    const url = /http:\/\/\S+/.exec(output)![0];
    expect(await (await fetch(`${url}/api/version`)).json()).toEqual({ version: '0.32.15' });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
  });
});
