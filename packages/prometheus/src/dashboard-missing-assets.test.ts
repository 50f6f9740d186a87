import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';

// A bundled application without the package's asset files: reading them fails.
vi.mock('./dashboard-assets.js', () => ({
  loadDashboardAssets: () => {
    throw Object.assign(new Error('ENOENT: no such file, dashboard.html'), { code: 'ENOENT' });
  },
}));

const { createDashboard } = await import('./dashboard.js');

describe('createDashboard without its asset files', () => {
  it('still starts and serves its data; the page answers 503 instead of failing the application', async () => {
    const dashboard = createDashboard({ intervalMs: 100 });
    const server = createServer((request, response) => {
      if (!dashboard.handle(request, response)) response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard`;
    try {
      const page = await fetch(base);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('could not be read');
      expect((await fetch(`${base}/uplot.js`)).status).toBe(503);
      expect((await fetch(`${base}/data`)).status).toBe(200);
    } finally {
      dashboard.close();
      server.close();
    }
  });
});
