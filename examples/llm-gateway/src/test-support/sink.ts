import type { Output } from '../demo/output.js';

/** An output that collects what the demo prints, for tests. */
export function collectingOutput(isTTY = false): Output & { readonly text: string } {
  let text = '';
  return {
    isTTY,
    write(chunk: string) {
      text += chunk;
      return true;
    },
    get text() {
      return text;
    },
  };
}
