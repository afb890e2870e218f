/**
 * Correlation windows in Redis (detection/correlation-windows.ts), shared by every collector instance: the feeds
 * of one alerting run go to Redis in one script call, which updates the windows and judges them atomically, so two
 * collectors feeding the same group never both fire it, and a count spread over several collectors adds up.
 *
 * The script is the Redis twin of detection/sigma/correlate.ts (same window semantics, same contract tests):
 * - event_count / value_count, sliding (gt, gte, eq): a sorted set of the group's events by time (member
 *   `id\ttenant`, so a re-delivered event is counted once), and for value_count a sorted set of values by their
 *   latest time; entries older than the timespan are trimmed; the group fires once its count satisfies the
 *   condition and starts afresh;
 * - tumbling (lt, lte): a window hash {start, group values} and a per-rule sorted set of window ends; the window is
 *   judged when the stream clock of any instance passes its end (ZRANGEBYSCORE on the ends, inside the script, so
 *   exactly one instance judges it);
 * - temporal: a hash base rule → last time and one → evidence; temporal_ordered: a hash stage → chain start and
 *   evidence.
 * Every key carries a TTL (timespan plus a margin), so idle groups leave Redis on their own. All keys share one hash
 * tag (`{corr}`): one slot, so the script is atomic on Redis Cluster as well.
 */
import Redis from 'ioredis';
import type { CorrelationWindows, WindowFeed, WindowHit } from '../../detection/correlation-windows';
import { windowKind, type CorrelatorLimits } from '../../detection/sigma/correlate';
import type { LoadedCorrelationRule } from '../../detection/sigma/rule-types';

const SCRIPT = String.raw`
local p = KEYS[1]
local req = cjson.decode(ARGV[1])
local rules = req.rules
local slack = tonumber(ARGV[2])
local out = {}

local function sat(c, n)
  if c.gt and not (n > c.gt) then return false end
  if c.gte and not (n >= c.gte) then return false end
  if c.lt and not (n < c.lt) then return false end
  if c.lte and not (n <= c.lte) then return false end
  if c.eq and not (n == c.eq) then return false end
  return true
end

-- members are "id\ttenant": evidence ids, oldest first, and the tenant of the last one
local function emit(r, k, g, n, members, t)
  local ids = {}
  local tenant = ''
  for j = 1, #members do
    local m = members[j]
    local tab = string.find(m, '\t', 1, true)
    ids[j] = string.sub(m, 1, tab - 1)
    tenant = string.sub(m, tab + 1)
  end
  out[#out + 1] = { r = r, k = k, g = g, n = n, i = ids, te = tenant, t = t }
end

local function base(r, k) return p .. ':' .. r .. ':' .. k end

local function closeTumbling(r, rule, k)
  local b = base(r, k)
  local w = b .. ':w'
  local start = tonumber(redis.call('HGET', w, 's'))
  if start then
    local n
    if rule.vf then n = redis.call('ZCARD', b .. ':v') else n = redis.call('ZCARD', b .. ':t') end
    if sat(rule.c, n) then
      emit(r, k, redis.call('HGET', w, 'g'), n, redis.call('ZRANGE', b .. ':t', -rule.mv, -1), start + rule.s)
    end
  end
  redis.call('DEL', w, b .. ':t', b .. ':v')
  redis.call('ZREM', p .. ':' .. r .. ':ends', k)
end

local tumbling = {}
for r, rule in pairs(rules) do if rule.tu then tumbling[#tumbling + 1] = r end end
local ticked = -1
local function tick(clock)
  if #tumbling == 0 or clock <= ticked then return end
  ticked = clock
  for _, r in ipairs(tumbling) do
    local due = redis.call('ZRANGEBYSCORE', p .. ':' .. r .. ':ends', '-inf', '(' .. clock)
    for _, k in ipairs(due) do closeTumbling(r, rules[r], k) end
  end
end

for _, f in ipairs(req.feeds) do
  local r, k, t = f.r, f.k, f.t
  local rule = rules[r]
  tick(f.c)
  local b = base(r, k)
  local id = f.i
  if id == '' then
    id = '~' .. redis.call('INCR', p .. ':anon')
  end
  local member = id .. '\t' .. f.n
  local ttl = rule.s + slack
  if rule.ty == 'temporal' then
    local s, e = b .. ':s', b .. ':e'
    redis.call('HSET', s, f.b, t)
    redis.call('HSET', e, f.b, member)
    local all = redis.call('HGETALL', s)
    local live = {}
    for j = 1, #all, 2 do
      local at = tonumber(all[j + 1])
      if t - at > rule.s then
        redis.call('HDEL', s, all[j])
        redis.call('HDEL', e, all[j])
      else
        live[#live + 1] = { at, all[j] }
      end
    end
    if sat(rule.c, #live) then
      table.sort(live, function(x, y) return x[1] < y[1] end)
      local members = {}
      for j = 1, #live do members[j] = redis.call('HGET', e, live[j][2]) end
      emit(r, k, f.g, #live, members, t)
      redis.call('DEL', s, e)
    else
      redis.call('PEXPIRE', s, ttl)
      redis.call('PEXPIRE', e, ttl)
    end
  elseif rule.ty == 'temporal_ordered' then
    local o = b .. ':o'
    local last = #rule.ids - 1
    for stage = last, 0, -1 do
      if rule.ids[stage + 1] == f.b then
        if stage == 0 then
          redis.call('HSET', o, 's0', t, 'e0', cjson.encode({ member }))
        else
          local start = tonumber(redis.call('HGET', o, 's' .. (stage - 1)))
          if start and t - start <= rule.s then
            local chain = cjson.decode(redis.call('HGET', o, 'e' .. (stage - 1)))
            chain[#chain + 1] = member
            if stage == last then
              emit(r, k, f.g, #rule.ids, chain, t)
              redis.call('DEL', o)
              break
            end
            redis.call('HSET', o, 's' .. stage, start, 'e' .. stage, cjson.encode(chain))
          end
        end
      end
    end
    if redis.call('EXISTS', o) == 1 then redis.call('PEXPIRE', o, ttl) end
  else
    local zt, zv = b .. ':t', b .. ':v'
    if rule.tu then
      local w = b .. ':w'
      local start = tonumber(redis.call('HGET', w, 's'))
      if start and t - start > rule.s then
        closeTumbling(r, rule, k)
        start = nil
      end
      if not start then
        redis.call('HSET', w, 's', t, 'g', f.g)
        redis.call('ZADD', p .. ':' .. r .. ':ends', t + rule.s, k)
        start = t
      end
      redis.call('ZADD', zt, t, member)
      if rule.vf then redis.call('ZADD', zv, 'GT', t, f.v) end
      local n = redis.call('ZCARD', zt)
      if n > rule.me then redis.call('ZREMRANGEBYRANK', zt, 0, n - rule.me - 1) end
      -- kept until judged; the TTL only bounds a window no clock ever reaches
      local keep = start + rule.s - t + slack * 24
      redis.call('PEXPIRE', w, keep)
      redis.call('PEXPIRE', zt, keep)
      if rule.vf then redis.call('PEXPIRE', zv, keep) end
    else
      redis.call('ZREMRANGEBYSCORE', zt, '-inf', '(' .. (t - rule.s))
      redis.call('ZADD', zt, t, member)
      local n = redis.call('ZCARD', zt)
      if n > rule.me then
        redis.call('ZREMRANGEBYRANK', zt, 0, n - rule.me - 1)
        n = rule.me
      end
      if rule.vf then
        redis.call('ZREMRANGEBYSCORE', zv, '-inf', '(' .. (t - rule.s))
        redis.call('ZADD', zv, 'GT', t, f.v)
        n = redis.call('ZCARD', zv)
      end
      if sat(rule.c, n) then
        emit(r, k, f.g, n, redis.call('ZRANGE', zt, -rule.mv, -1), t)
        redis.call('DEL', zt, zv)
      else
        redis.call('PEXPIRE', zt, ttl)
        if rule.vf then redis.call('PEXPIRE', zv, ttl) end
      end
    end
  end
end
tick(req.clock)
return cjson.encode(out)
`;

/** A correlation as the script needs it. */
interface ScriptRule {
  ty: LoadedCorrelationRule['type'];
  s: number;
  c: Record<string, number>;
  tu?: true;
  vf?: true;
  me: number;
  mv: number;
  ids: string[];
}

export interface RedisCorrelationWindowsOptions {
  redisUrl: string;
  /** Namespace of the keys (default `sargs`); tests use a unique one. */
  prefix?: string;
  rules: readonly LoadedCorrelationRule[];
  limits?: Pick<CorrelatorLimits, 'maxEntries' | 'maxEvidence'>;
  /** Added to a window's timespan for its keys' TTL (default 60 s). */
  slackMs?: number;
  /** Connection errors (the client reconnects by itself; a run during an outage fails and says so). */
  onError?: (err: Error) => void;
}

type WindowsClient = Redis & { sargsCorrelate(prefix: string, payload: string, slack: number): Promise<string> };

/**
 * Creates the shared windows.
 * @example const windows = createRedisCorrelationWindows({ redisUrl, rules: correlations }); await windows.apply(feeds, clock)
 */
export function createRedisCorrelationWindows(opts: RedisCorrelationWindowsOptions): CorrelationWindows {
  const prefix = `${opts.prefix ?? 'sargs'}:{corr}`;
  const slack = opts.slackMs ?? 60_000;
  const rules: Record<string, ScriptRule> = {};
  for (const r of opts.rules) {
    const { condition, tumbling } = windowKind(r);
    const c: Record<string, number> = {};
    for (const [k, v] of Object.entries(condition)) if (typeof v === 'number') c[k] = v;
    rules[r.id] = {
      ty: r.type, s: r.timespanMs, c, me: opts.limits?.maxEntries ?? 10_000, mv: opts.limits?.maxEvidence ?? 100, ids: r.ruleIds,
      ...(tumbling ? { tu: true as const } : {}),
      ...(r.valueField ? { vf: true as const } : {}),
    };
  }
  const byId = new Map(opts.rules.map((r) => [r.id, r]));
  const hasTumbling = Object.values(rules).some((r) => r.tu);
  const client = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 }) as WindowsClient;
  client.on('error', (err: Error) => opts.onError?.(err));
  client.defineCommand('sargsCorrelate', { numberOfKeys: 1, lua: SCRIPT });
  let lastClock = -Infinity;

  return {
    kind: 'redis',
    async apply(feeds, clockMs) {
      const clock = Number.isNaN(clockMs) ? lastClock : clockMs;
      // nothing to count and no window that a later clock could close: no round trip
      if (feeds.length === 0 && !(hasTumbling && clock > lastClock)) return [];
      const sent: unknown[] = [];
      for (const f of feeds) {
        if (!rules[f.ruleId]) continue;
        sent.push({
          r: f.ruleId, b: f.baseRuleId, k: f.key, g: JSON.stringify(f.values), t: f.timeMs, c: Number.isNaN(f.clockMs) ? -1 : f.clockMs,
          i: f.eventId, n: f.tenant ?? '', ...(f.value !== undefined ? { v: f.value } : {}),
        });
      }
      if (clock > lastClock) lastClock = clock;
      const payload = JSON.stringify({ rules, feeds: sent, clock: Number.isFinite(clock) ? clock : -1 });
      const raw = await client.sargsCorrelate(prefix, payload, slack);
      const parsed = JSON.parse(raw) as unknown;
      // cjson encodes an empty table as {}
      if (!Array.isArray(parsed)) return [];
      return (parsed as Array<{ r: string; k: string; g: string; n: number; i: string[] | Record<string, never>; te: string; t: number }>).map((h) => {
        const rule = byId.get(h.r)!;
        const values = JSON.parse(h.g) as string[];
        const group: Record<string, string> = {};
        rule.groupBy.forEach((f, i) => (group[f] = values[i]!));
        const hit: WindowHit = { ruleId: h.r, group, groupKey: h.k, count: h.n, eventIds: Array.isArray(h.i) ? h.i : [], timeMs: h.t };
        if (h.te) hit.tenant = h.te;
        return hit;
      });
    },
    async close() {
      client.disconnect();
    },
  };
}
