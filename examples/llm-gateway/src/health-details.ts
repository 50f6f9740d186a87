import type { Server } from 'node:http';
import { isIP } from 'node:net';

/** Whether `/health` shows each check's details (host names, upstream error text) or statuses only. */
export type HealthDetails = 'always' | 'never';

/**
 * Whether an address or host name reaches only this machine: `localhost`, `127.0.0.0/8`, `::1` (also as
 * `::ffff:127.x.x.x`). `0.0.0.0`, `::` and every other address are reachable beyond it.
 */
export function isLoopback(host: string): boolean {
  const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (address === 'localhost') return true;
  if (isIP(address) === 6) return address === '::1' || /^::ffff:127\./i.test(address);
  return isIP(address) === 4 && address.startsWith('127.');
}

/**
 * The details `/health` shows when none were configured: all of them on loopback, none once the server
 * listens beyond it (`HOST=0.0.0.0` in a container), because they name the Ollama URL and carry its errors.
 * `server` is read at each request, so the answer follows where it actually listens; not listening (or on
 * a pipe) counts as beyond loopback.
 */
export function defaultHealthDetails(server: Server): HealthDetails {
  const address = server.address();
  return typeof address === 'object' && address !== null && isLoopback(address.address) ? 'always' : 'never';
}
