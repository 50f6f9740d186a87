import { parseCliArgs, USAGE } from './cli-args.js';
import { type FakeOllama, startFakeOllama } from './server.js';

/** Where the CLI writes, and how it learns it should stop: injectable so tests run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Calls `stop` once on the first SIGINT or SIGTERM. */
  readonly onStopSignal: (stop: () => void) => void;
}

/**
 * Runs the CLI: starts the server, prints its URL, and resolves with the exit code once a stop signal
 * closed it (0), or at once for `--help` (0) and bad arguments or a failed start (2 and 1).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let request: ReturnType<typeof parseCliArgs>;
  try {
    request = parseCliArgs(argv);
  } catch (error) {
    io.stderr(`sightglass-fake-ollama: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (request.help) {
    io.stdout(USAGE);
    return 0;
  }
  let server: FakeOllama;
  try {
    server = await startFakeOllama(request.options);
  } catch (error) {
    io.stderr(`sightglass-fake-ollama: ${(error as Error).message}\n`);
    return 1;
  }
  io.stdout(`fake Ollama listening on ${server.url}\n`);
  await new Promise<void>((resolve) => io.onStopSignal(resolve));
  await server.close();
  io.stdout('fake Ollama stopped\n');
  return 0;
}
