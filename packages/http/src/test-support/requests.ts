import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOG, metricRegistry } from '@sightglass/core';

/** `requests_total` for one label set, as reported now. */
export function requestsTotal(method: string, route: string, status: string): number | undefined {
  return metricRegistry().value(CATALOG.requests, { method, route, status });
}

/** `requests_in_flight` for one label set, as reported now. */
export function inFlight(method: string, route: string): number | undefined {
  return metricRegistry().value(CATALOG.requestsInFlight, { method, route });
}

/** Starts listening on a free loopback port; returns the base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
