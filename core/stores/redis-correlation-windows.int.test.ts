import Redis from 'ioredis';
import { bruteForceRules, ev } from '../../detection/correlation-windows.contract';
import { runCorrelationWindowsContract } from '../../detection/correlation-windows.contract';
import { createDetectionEngine } from '../../detection/engine';
import type { WindowFeed, WindowHit } from '../../detection/correlation-windows';
import { describeWith, TEST_REDIS_URL, uniqueName } from '../testing/services';
import { createRedisCorrelationWindows } from './redis-correlation-windows';

describeWith('redis')('correlation windows in Redis (shared by every collector instance)', () => {
  const prefixes: string[] = [];
  const make = (prefix = uniqueName('corr')) => {
    prefixes.push(prefix);
    return prefix;
  };
  afterAll(async () => {
    const redis = new Redis(TEST_REDIS_URL);
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}:*`);
      if (keys.length) await redis.del(...keys);
    }
    redis.disconnect();
  });

  runCorrelationWindowsContract(async (rules) => {
    const prefix = make();
    const windows = createRedisCorrelationWindows({ redisUrl: TEST_REDIS_URL, prefix, rules });
    return { windows, again: () => createRedisCorrelationWindows({ redisUrl: TEST_REDIS_URL, prefix, rules }) };
  });

  /** The feeds of `events` as collector instances would send them (one engine per instance). */
  const feedsOf = (events: unknown[]): WindowFeed[][] => {
    const engine = createDetectionEngine(bruteForceRules(), undefined, { externalWindows: true });
    return events.map((e) => {
      engine.process(e);
      return engine.takeFeeds().feeds;
    });
  };

  test('a burst spread over two collector instances adds up and fires once', async () => {
    const prefix = make();
    const rules = createDetectionEngine(bruteForceRules()).correlations;
    const a = createRedisCorrelationWindows({ redisUrl: TEST_REDIS_URL, prefix, rules });
    const b = createRedisCorrelationWindows({ redisUrl: TEST_REDIS_URL, prefix, rules });
    const evs = [ev(0, 'anna'), ev(1, 'anna'), ev(2, 'anna')];
    const [f0, f1, f2] = feedsOf(evs);
    expect(await a.apply(f0!, NaN)).toHaveLength(0);
    expect(await b.apply(f1!, NaN)).toHaveLength(0);
    const hits = await a.apply(f2!, NaN);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.eventIds).toEqual(evs.map((e) => e.event.id));
    await Promise.all([a.close(), b.close()]);
  });

  test('many instances feeding one group at once: every burst fires exactly once, no event counted twice or lost', async () => {
    const prefix = make();
    const rules = createDetectionEngine(bruteForceRules()).correlations;
    const instances = Array.from({ length: 4 }, () => createRedisCorrelationWindows({ redisUrl: TEST_REDIS_URL, prefix, rules }));
    // 30 failures of one user within ten minutes, sent by four instances concurrently: ten bursts of three
    const feeds = feedsOf(Array.from({ length: 30 }, (_, i) => ev(i / 10, 'anna')));
    const hits: WindowHit[] = (await Promise.all(feeds.map((f, i) => instances[i % 4]!.apply(f, NaN)))).flat();
    expect(hits).toHaveLength(10);
    expect(hits.every((h) => h.count === 3)).toBe(true);
    const ids = hits.flatMap((h) => h.eventIds);
    expect(new Set(ids).size).toBe(30);
    await Promise.all(instances.map((w) => w.close()));
  });

  test('a re-delivered event is counted once; windows outlive the instance that fed them and expire when idle', async () => {
    const prefix = make();
    const rules = createDetectionEngine(bruteForceRules()).correlations;
    const first = createRedisCorrelationWindows({ redisUrl: TEST_REDIS_URL, prefix, rules });
    const evs = [ev(0, 'anna'), ev(1, 'anna'), ev(2, 'anna')];
    const [f0, f1, f2] = feedsOf(evs);
    await first.apply([...f0!, ...f0!], NaN);
    await first.apply(f1!, NaN);
    await first.close();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(10 * 60_000);
    expect(ttl).toBeLessThanOrEqual(11 * 60_000);
    redis.disconnect();
    // a restarted collector finds the window where the first one left it
    const second = createRedisCorrelationWindows({ redisUrl: TEST_REDIS_URL, prefix, rules });
    const hits = await second.apply(f2!, NaN);
    expect(hits.map((h) => h.count)).toEqual([3]);
    await second.close();
  });

  test('Redis down: the call fails (the alerting run reports it) instead of answering without the shared state', async () => {
    const rules = createDetectionEngine(bruteForceRules()).correlations;
    const down = createRedisCorrelationWindows({ redisUrl: 'redis://127.0.0.1:1', prefix: make(), rules });
    await expect(down.apply(feedsOf([ev(0, 'anna')])[0]!, NaN)).rejects.toThrow();
    await down.close();
  });
});
