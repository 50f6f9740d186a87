import { type Browser, chromium } from 'playwright-core';
import { requireBinary } from './binaries.js';

/**
 * Flags for a machine with no network beyond loopback: without the background-networking ones Chromium
 * keeps trying to reach Google's services, and as root it needs `--no-sandbox`. playwright-core adds
 * `--headless` and a fresh temporary profile itself.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Starts Debian's Chromium headless, driven by playwright-core (`apt-get install chromium`; playwright's
 * own browser download does not work here). Returns undefined, after a message, when Chromium is missing
 * on a developer's machine; throws under CI. Close the browser when done.
 */
export async function startChromium(): Promise<Browser | undefined> {
  const executablePath = requireBinary('chromium', 'chromium');
  if (executablePath === undefined) return undefined;
  return chromium.launch({ executablePath, args: FLAGS });
}
