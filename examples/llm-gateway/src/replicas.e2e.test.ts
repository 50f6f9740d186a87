/**
 * The distributed path end to end: two gateway processes (`dist/main.js`, as deployed) share one Debian
 * redis-server through `CACHE_URL`, in front of one fake Ollama, each scraped by Debian's Prometheus. One
 * replica loads an answer and the other serves it from the shared cache; Redis is killed (SIGKILL) under
 * load and started again, and neither replica crashes, loses a request or stops answering; the Grafana
 * dashboard's cache queries aggregate both instances.
 */
import { CATALOG, prometheusName } from '@sightglass/core';
import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import { buildDashboard, dashboardQueries, interpolateQuery } from '@sightglass/grafana';
import {
  freePort,
  parseExposition,
  prometheusBinary,
  type RunningPrometheus,
  type RunningRedis,
  redisBinary,
  startPrometheus,
  startRedis,
  waitFor,
} from '@sightglass/test-kit';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from './cache-key.js';
import { parseGatewayRequest, type RequestKind } from './requests.js';
import { TEST_TIMING } from './test-support/fixture.js';
import { chat, get, post } from './test-support/http.js';
import { type Replica, startReplica } from './test-support/replica.js';
import { Tally } from './test-support/tally.js';

const redisServer = redisBinary();
const prometheusServer = prometheusBinary();
const missing = redisServer === undefined || prometheusServer === undefined;

let ollama: FakeOllama;
let redis: RunningRedis;
let prometheus: RunningPrometheus;
const replicas: Replica[] = [];
/** A third replica started with Redis unreachable (nothing listens on its CACHE_URL). */
let cold: Replica | undefined;
const tally = new Tally();
/** What the test measured, printed at the end (and quoted in the README). */
const figures: Record<string, unknown> = {};

const chatCalls = () => ollama.stats.byRoute['POST /api/chat'] ?? 0;

interface CacheHealth {
  status: string;
  details?: { store?: { kind: string; connected: boolean; reason: string | null } };
}
/** The gateway's `/health` status and its response cache's check. */
async function health(replica: Replica): Promise<{ status: string; cache: CacheHealth | undefined }> {
  const report = (await get(replica.url, '/health')).json as {
    status: string;
    cache?: Record<string, CacheHealth>;
  };
  return { status: report.status, cache: report.cache?.responses };
}

/**
 * Sends `perSecond` requests a second, alternating between the replicas, until stopped: most repeat a few
 * prompts (answered from the cache when Redis is up), some are one-offs.
 */
function keepSending(perSecond: number, tag: string): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const replica = replicas[i % replicas.length]!;
      const prompt = i % 4 === 3 ? `${tag} one-off ${i}` : `${tag} shared question ${i % 3}`;
      void tally.send(replica.url, '/v1/chat', chat(prompt));
      await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
    }
  })();
  return async () => {
    running = false;
    await loop;
    await tally.settled();
  };
}

/**
 * Waits until the answer to `body` is in Redis. A miss is answered as soon as Ollama answered, and its
 * write to Redis goes out beside the answer (written behind, never waited for), so on a busy machine
 * another replica asked at once can look before the write has landed.
 */
async function stored(kind: RequestKind, body: unknown): Promise<void> {
  const key = `llm-gateway:${cacheKey(parseGatewayRequest(kind, body))}`;
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    await waitFor(
      `${key} in Redis`,
      async () => ((await client.exists(key)) === 1 ? true : undefined),
      5000,
      5,
    );
  } finally {
    await client.close();
  }
}

/** Asks `from` a new question, then `to` the same: resolves true when `to` answered it from the cache. */
async function sharedBetween(from: Replica, to: Replica, prompt: string): Promise<boolean> {
  const first = await tally.send(from.url, '/v1/chat', chat(prompt));
  const second = await tally.send(to.url, '/v1/chat', chat(prompt));
  return first?.status === 200 && second?.headers.get('x-cache') === 'hit';
}

beforeAll(async () => {
  if (missing) return;
  const started = performance.now();
  ollama = await startFakeOllama(TEST_TIMING);
  redis = await startRedis(redisServer!);
  const env = { OLLAMA_URL: ollama.url, CACHE_URL: redis.url, OLLAMA_TIMEOUT_MS: '5000' };
  const nowhere = `redis://127.0.0.1:${await freePort()}`;
  let third: Replica;
  [replicas[0], replicas[1], third] = await Promise.all([
    startReplica(env),
    startReplica(env),
    startReplica({ ...env, CACHE_URL: nowhere }),
  ]);
  cold = third;
  prometheus = await startPrometheus(
    prometheusServer!,
    replicas.map((replica) => new URL(replica.url).host),
  );
  // Scraped before any traffic, so the rates below see it all.
  await waitFor('Prometheus to scrape both replicas', async () => {
    const targets = await prometheus.targets();
    return targets.length === 2 && targets.every((target) => target.health === 'up') ? true : undefined;
  });
  figures.startMs = Math.round(performance.now() - started);
}, 60_000);

afterAll(async () => {
  await Promise.all([...replicas, ...(cold ? [cold] : [])].map((replica) => replica.stop()));
  await prometheus?.stop();
  await redis?.dispose();
  await ollama?.close();
  if (!missing) console.log(`replicas e2e: ${JSON.stringify(figures)}`);
});

describe.skipIf(missing)('two gateway replicas on one Redis, scraped by Prometheus', () => {
  it('start with the cache on Redis, connected', async () => {
    for (const replica of replicas) {
      expect(replica.output()).toContain(`cache: Redis at ${redis.url}`);
      const { status, cache } = await health(replica);
      // Not always `healthy`: on a busy machine a warm-up write can miss its 500 ms and degrade it a while.
      expect(status).not.toBe('unhealthy');
      expect(cache?.details?.store).toMatchObject({ kind: 'redis', connected: true });
    }
  });

  it('start with Redis unreachable too: degraded, ready after the warm-up, answering from Ollama', async () => {
    const replica = cold!;
    const { status, cache } = await health(replica);
    expect(status).toBe('degraded');
    expect(cache?.details?.store).toMatchObject({ kind: 'redis', connected: false });
    expect(cache?.details?.store?.reason).toMatch(/not reachable|connecting/);
    expect(replica.output()).toContain('warmed 36 common answers');
    expect((await get(replica.url, '/readyz')).status).toBe(200);
    const answer = await post(replica.url, '/v1/chat', chat('Is Redis there?'));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-cache')).toBe('miss');
    expect(await replica.stop()).toBe(0);
    expect(replica.output()).toContain('stopped cleanly');
  });

  it('serve from one replica what the other loaded: Ollama is asked once', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const before = chatCalls();
    const loaded = await tally.send(a.url, '/v1/chat', chat('What is a replica?'));
    expect(loaded?.headers.get('x-cache')).toBe('miss');
    await stored('chat', chat('What is a replica?'));
    const shared = await tally.send(b.url, '/v1/chat', chat('What is a replica?'));
    expect(shared?.headers.get('x-cache')).toBe('hit');
    expect(shared?.text).toBe(loaded?.text);
    expect(chatCalls() - before).toBe(1);
    // And the other way round, on another route.
    const generate = { model: 'llama3.2', prompt: 'Name a colour, replica.' };
    const generateCalls = ollama.stats.byRoute['POST /api/generate'] ?? 0;
    expect((await tally.send(b.url, '/v1/generate', generate))?.headers.get('x-cache')).toBe('miss');
    await stored('generate', generate);
    expect((await tally.send(a.url, '/v1/generate', generate))?.headers.get('x-cache')).toBe('hit');
    expect((ollama.stats.byRoute['POST /api/generate'] ?? 0) - generateCalls).toBe(1);
  });

  it('survive Redis killed under load: degraded, answering from Ollama, nothing lost; both recover', async () => {
    const stop = keepSending(40, 'outage');
    await waitFor('some cache hits under load', async () =>
      (tally.byCache.hit ?? 0) > 10 ? true : undefined,
    );
    const hitsBefore = tally.byCache.hit ?? 0;
    const missesBefore = tally.byCache.miss ?? 0;
    const killed = performance.now();
    await redis.stop(); // SIGKILL
    const degraded = await Promise.all(
      replicas.map((replica) =>
        waitFor(
          'the replica to report the cache degraded',
          async () => {
            const { status, cache } = await health(replica);
            return status === 'degraded' && cache?.details?.store?.connected === false
              ? Math.round(performance.now() - killed)
              : undefined;
          },
          10_000,
          20,
        ),
      ),
    );
    figures.degradedAfterMs = degraded;
    // While Redis is down every answer comes from Ollama (misses), and keeps coming.
    const missesAtDown = tally.byCache.miss ?? 0;
    await waitFor('answers from Ollama while Redis is down', async () =>
      (tally.byCache.miss ?? 0) - missesAtDown >= 40 ? true : undefined,
    );
    expect(replicas.every((replica) => replica.alive())).toBe(true);
    const downMs = performance.now() - killed;

    await redis.restart(); // empty: nothing was persisted
    const restarted = performance.now();
    // Recovered: an answer one replica loads is a hit on the other, in both directions.
    const [a, b] = replicas as [Replica, Replica];
    let probe = 0;
    figures.recoveredAfterMs = await waitFor(
      'both replicas to share answers through Redis again',
      async () =>
        (await sharedBetween(a, b, `recovery probe ${probe++}`)) &&
        (await sharedBetween(b, a, `recovery probe ${probe++}`))
          ? Math.round(performance.now() - restarted)
          : undefined,
      15_000,
      50,
    );
    await stop();

    figures.outage = {
      downMs: Math.round(downMs),
      sent: tally.sent,
      answered: tally.answered,
      byStatus: tally.byStatus,
      byCache: tally.byCache,
      hitsBeforeKill: hitsBefore,
      missesBeforeKill: missesBefore,
    };
    expect(tally.dropped).toEqual([]);
    expect(tally.answered).toBe(tally.sent);
    expect(tally.untyped).toEqual([]);
    // Ollama never failed, so a Redis outage costs no request anything but the cache.
    expect(tally.status(200)).toBe(tally.sent);
    expect(replicas.every((replica) => replica.alive())).toBe(true);
    // Connected again (still degraded for a while after the errors: STORE_ERROR_MEMORY_MS); `/health` reuses
    // a report for up to a second.
    for (const replica of replicas) {
      await waitFor('/health to show Redis connected again', async () =>
        (await health(replica)).cache?.details?.store?.connected === true ? true : undefined,
      );
    }
  }, 60_000);

  it('is scraped on both instances, and the dashboard aggregates them', async () => {
    const hits = prometheusName(CATALOG.cacheHits);
    const errors = prometheusName(CATALOG.cacheErrors);
    const requests = prometheusName(CATALOG.requests);
    const instances = replicas.map((replica) => new URL(replica.url).host).sort();
    expect((await prometheus.targets()).map((target) => target.health)).toEqual(['up', 'up']);

    // Once a scrape after the last request came in, Prometheus's sums are the replicas' own counts.
    const own = async (name: string) => {
      let sum = 0;
      for (const replica of replicas) {
        const families = parseExposition((await get(replica.url, '/metrics')).text);
        for (const sample of families.get(name)?.samples ?? []) {
          if (sample.name === name) sum += sample.value;
        }
      }
      return sum;
    };
    const ownHits = await own(hits);
    const ownRequests = await own(requests);
    expect(ownRequests).toBe(tally.sent); // requests_total counts every API request, across both
    await waitFor(
      'Prometheus to have scraped the last counts',
      async () => {
        const [total] = await prometheus.query(`sum(${hits}) + sum(${requests})`);
        return Number(total?.value[1]) === ownHits + ownRequests ? true : undefined;
      },
      10_000,
      200,
    );

    const byInstance = await prometheus.query(`sum by (instance) (${hits})`);
    expect(byInstance.map(({ metric }) => metric.instance).sort()).toEqual(instances);
    const errorsByInstance = await prometheus.query(`sum by (instance) (${errors})`);
    expect(errorsByInstance.map(({ metric }) => metric.instance).sort()).toEqual(instances);
    expect(errorsByInstance.every(({ value }) => Number(value[1]) > 0)).toBe(true);

    // The dashboard's cache panels: the overall hit ratio is one series over both instances; every cache
    // query returns data.
    const queries = dashboardQueries(buildDashboard()).filter((query) => query.expr.includes('cache_'));
    expect(queries.length).toBeGreaterThan(5);
    const ratioQuery = queries.find((query) => query.panel === 'Cache hit ratio');
    expect(ratioQuery).toBeDefined();
    // A rate needs two samples of each series in its window.
    const ratio = await waitFor('two scrapes of both replicas', async () => {
      const result = await prometheus.query(interpolateQuery(ratioQuery!.expr, { rateInterval: '1m' }));
      return result.length > 0 ? result : undefined;
    });
    expect(ratio).toHaveLength(1);
    figures.dashboardHitRatio = Number(ratio[0]?.value[1]);
    expect(Number(ratio[0]?.value[1])).toBeGreaterThan(0);
    expect(Number(ratio[0]?.value[1])).toBeLessThan(1);
    const empty: string[] = [];
    for (const query of queries) {
      const result = await prometheus.query(interpolateQuery(query.expr, { rateInterval: '1m' }));
      if (result.length === 0) empty.push(`${query.panel} (${query.refId})`);
    }
    // Entries: Redis keeps no count the cache could report; evictions and stale serves: none happen here.
    expect(empty.filter((panel) => !/^(Entries|Evictions|Stale served)/.test(panel))).toEqual([]);
  });
});
