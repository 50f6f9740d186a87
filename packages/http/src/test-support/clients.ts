import { request as httpRequest } from 'node:http';

/** One GET with `Connection: close`: the server closes the connection right after a normal response. */
export function getAndClose(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = httpRequest(url, { headers: { connection: 'close' }, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    client.on('error', reject);
    client.end();
  });
}

/** A GET whose client goes away after `afterMs`, before the response came. */
export function getAndLeave(url: string, afterMs = 50): Promise<void> {
  return new Promise((resolve) => {
    const client = httpRequest(url, { agent: false });
    client.on('error', () => resolve());
    client.end();
    setTimeout(() => {
      client.destroy();
      resolve();
    }, afterMs);
  });
}
