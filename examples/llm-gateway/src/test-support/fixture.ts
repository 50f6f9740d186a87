import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import { createGateway, type Gateway, type GatewayOptions } from '../gateway.js';

/** The fake Ollama's speed in gateway tests: fast, so tests are quick, but not instant. */
export const TEST_TIMING = { tokensPerSecond: 2000, ttftMs: 5, tokensPerAnswer: 8 } as const;

/** A fake Ollama for a test file. */
export function startTestOllama(): Promise<FakeOllama> {
  return startFakeOllama(TEST_TIMING);
}

/** A gateway listening on a free port, in front of `ollamaUrl`, named `name` (metrics and health). */
export async function startTestGateway(
  name: string,
  ollamaUrl: string,
  options: Partial<GatewayOptions> = {},
): Promise<{ gateway: Gateway; url: string }> {
  const gateway = createGateway({
    ollamaUrl,
    ...options,
    policy: { name, ...options.policy },
    cache: { name: `${name}_responses`, ...options.cache },
  });
  return { gateway, url: await gateway.listen() };
}
