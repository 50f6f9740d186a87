#!/usr/bin/env node
import { runCli } from './cli-run.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onStopSignal: (stop) => {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
});
// Let the event loop drain instead of process.exit(), so the last lines reach a piped stdout.
process.exitCode = code;
