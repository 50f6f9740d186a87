/**
 * The quickstart: a service that counts the requests it serves and exposes them at /metrics.
 *
 *   PORT=3000 METRICS_PORT=9464 node dist/main.js [--self-traffic] [--duration SECONDS]
 *
 * With --self-traffic it calls itself a few times a second and prints what Prometheus would scrape.
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { CATALOG, prometheusName, SightglassError } from '@sightglass/core';
import { startTelemetry } from '@sightglass/node';
import { createQuickstartServer } from './service.js';

const { values } = parseArgs({
  options: {
    'self-traffic': { type: 'boolean', default: false },
    duration: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const telemetry = await startTelemetry({
    serviceName: 'sightglass-quickstart',
    prometheus: { port: Number(process.env.METRICS_PORT ?? 9464) },
  });
  const server = createQuickstartServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', resolve);
  });
  const serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`;
  console.log(`service: ${serviceUrl}`);
  console.log(`metrics: ${telemetry.metricsServer?.url}`);
  console.log('Press Ctrl-C to stop.');

  let traffic: NodeJS.Timeout | undefined;
  if (values['self-traffic']) {
    let sent = 0;
    const requestsTotal = `${prometheusName(CATALOG.requests)}{`;
    traffic = setInterval(async () => {
      sent++;
      try {
        await fetch(sent % 5 === 0 ? serviceUrl.replace('/hello', '/missing') : serviceUrl).then((r) =>
          r.text(),
        );
        const exposition = await fetch(telemetry.metricsServer!.url).then((r) => r.text());
        const served = exposition
          .split('\n')
          .filter((line) => line.startsWith(requestsTotal))
          .map(
            (line) =>
              `${/route="([^"]*)"/.exec(line)?.[1]} ${/status="(\d+)"/.exec(line)?.[1]} = ${line.split(' ').pop()}`,
          );
        process.stdout.write(
          `\r${requestsTotal.slice(0, -1)} scraped from /metrics: ${served.join(' | ')}   `,
        );
      } catch {
        // A request in flight while Ctrl-C closes the servers: nothing to report.
      }
    }, 250);
  }

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(traffic);
    process.stdout.write('\nstopping...\n');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await telemetry.shutdown();
    console.log('stopped cleanly');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (values.duration !== undefined) setTimeout(stop, Number(values.duration) * 1000).unref();
}

main().catch((error: unknown) => {
  if (error instanceof SightglassError) console.error(`${error.code}: ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
});
