/**
 * Server-side Lua for the Redis store. Each script runs atomically, so a decision is exact across any
 * number of gateway nodes (ioredis sends EVAL the first time on a connection and EVALSHA after).
 * The counting functions are ports of `algorithms.ts`; keep the two in step (the shared test table
 * in test/limits/semantics.ts runs against both stores). Numbers are written with %.17g so
 * fractional GCRA times survive the round trip through a string exactly.
 *
 * Counting takes write = 'c' (consume if it fits), 'p' (peek: never write) or 'a' (add
 * unconditionally) and answers {allowed, remaining, resetMs, retryAfterMs, used}.
 */
import type { Redis } from 'ioredis';

/**
 * Every strict-mode counting decision of one event-loop turn, in order, in one atomic run
 * (decision-batch.ts). KEYS[i] is decision i's key; ARGV holds six values per decision: op
 * (`s` sliding window, `g` GCRA, `k` calendar), then limit, window (calendar: period end, epoch
 * ms), now, cost, write. Returns five integers per decision, flat:
 * {allowed, remaining, resetMs, retryAfterMs, used}.
 */
const DECIDE = `
local function sliding(key, limit, W, now, cost, write)
  local st = redis.call('HMGET', key, 'w', 'c', 'p')
  local w, c, p = tonumber(st[1]) or 0, tonumber(st[2]) or 0, tonumber(st[3]) or 0
  local idx = math.floor(now / W)
  if w > idx then idx = w; now = idx * W
  elseif w == idx - 1 then p = c; c = 0; w = idx
  elseif w ~= idx then p = 0; c = 0; w = idx end
  local elapsed = now - idx * W
  local weight = (W - elapsed) / W
  local fits = p * weight + c + cost <= limit + 1e-6
  if write == 'a' or (write == 'c' and fits) then
    c = c + cost
    redis.call('HSET', key, 'w', string.format('%.17g', w), 'c', string.format('%.17g', c), 'p', string.format('%.17g', p))
    redis.call('PEXPIRE', key, math.max(1, math.ceil(2 * W - elapsed)))
  end
  local after = p * weight + c
  local resetMs = W - elapsed
  local retry = 0
  if not fits then
    if cost > limit then
      retry = resetMs
      if c > 0 then retry = retry + W end
    elseif c + cost <= limit then retry = W * (1 - (limit - c - cost) / p) - elapsed
    else retry = resetMs + W * (1 - (limit - cost) / c) end
    retry = math.max(1, math.ceil(retry))
  end
  return fits and 1 or 0, math.max(0, math.floor(limit - after + 1e-6)), math.ceil(resetMs), retry, math.max(0, math.ceil(after - 1e-6))
end

local function gcra(key, limit, W, now, cost, write)
  local tat = tonumber(redis.call('GET', key)) or 0
  local t = W / limit
  local base = math.max(tat, now)
  local nxt = base + cost * t
  local fits = nxt - now <= W + 1e-3
  if write == 'a' or (write == 'c' and fits) then
    tat = nxt
    redis.call('SET', key, string.format('%.17g', tat), 'PX', math.max(1, math.ceil(tat - now)))
  end
  local level = math.max(tat, now) - now
  local retry = 0
  if not fits then
    if cost > limit then retry = base - now else retry = nxt - W - now end
    retry = math.max(1, math.ceil(retry))
  end
  return fits and 1 or 0, math.max(0, math.floor((W - level) / t + 1e-6)), math.ceil(level), retry, math.max(0, math.ceil(level / t - 1e-6))
end

local function calendar(key, limit, ends, now, cost, write)
  local count = tonumber(redis.call('GET', key)) or 0
  local fits = count + cost <= limit
  if write == 'a' or (write == 'c' and fits) then
    count = redis.call('INCRBY', key, cost)
    redis.call('PEXPIREAT', key, ends)
  end
  local resetMs = math.ceil(ends - now)
  local retry = 0
  if not fits then retry = resetMs end
  return fits and 1 or 0, math.max(0, limit - count), resetMs, retry, count
end

local out = {}
for i = 1, #KEYS do
  local j = (i - 1) * 6
  local op = ARGV[j + 1]
  local f = calendar
  if op == 's' then f = sliding elseif op == 'g' then f = gcra end
  local a, b, c, d, e = f(KEYS[i], tonumber(ARGV[j + 2]), tonumber(ARGV[j + 3]), tonumber(ARGV[j + 4]), tonumber(ARGV[j + 5]), ARGV[j + 6])
  local k = (i - 1) * 5
  out[k + 1] = a; out[k + 2] = b; out[k + 3] = c; out[k + 4] = d; out[k + 5] = e
end
return out
`;

/**
 * Concurrency leases: a sorted set of lease ids scored by their expiry in Redis's own clock, so a
 * gateway that dies leaks its slots for at most one lease time. ARGV: limit, leaseMs, lease id.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** Extends the leases still held by this node (ARGV: leaseMs, lease ids...). */
const RENEW = `
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expiry, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

/**
 * Batching mode, sliding window: adds a node's delta for window ARGV[1] and returns the stored
 * {w, c, p}. A delta for the window just before the stored one goes to p; older ones are dropped.
 */
const SYNC_SLIDING = `
local idx, delta, W = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local st = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local w, c, p = tonumber(st[1]), tonumber(st[2]) or 0, tonumber(st[3]) or 0
if w == nil or w < idx - 1 then w = idx; c = 0; p = 0
elseif w == idx - 1 then p = c; c = 0; w = idx end
if delta > 0 and w <= idx + 1 then
  if w == idx then c = c + delta else p = p + delta end
  redis.call('HSET', KEYS[1], 'w', string.format('%.17g', w), 'c', string.format('%.17g', c), 'p', string.format('%.17g', p))
  redis.call('PEXPIRE', KEYS[1], 2 * W)
end
return {w, c, p}
`;

/** Batching mode, calendar: adds a node's delta (ARGV[1]) to the period and returns its count. */
const SYNC_CALENDAR = `
local delta = tonumber(ARGV[1])
if delta > 0 then
  local n = redis.call('INCRBY', KEYS[1], delta)
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  return n
end
return tonumber(redis.call('GET', KEYS[1])) or 0
`;

export type Reply = [allowed: number, remaining: number, resetMs: number, retryAfterMs: number, used: number];
export type Arg = string | number;

/** The commands `defineLimitCommands` adds to a client (and to its pipelines). */
export interface LimitCommands {
  /** `keyCount` keys, then six arguments per key (see DECIDE); five integers back per key. */
  limitsDecide(keyCount: number, ...keysThenArgs: Arg[]): Promise<number[]>;
  limitsAcquire(key: string, limit: Arg, leaseMs: Arg, lease: string): Promise<number>;
  limitsRenew(key: string, leaseMs: Arg, ...leases: string[]): Promise<number>;
  limitsSyncSliding(key: string, window: Arg, delta: Arg, windowMs: Arg): Promise<[number, number, number]>;
  limitsSyncCalendar(key: string, delta: Arg, end: Arg): Promise<number>;
}

export type LimitsRedis = Redis & LimitCommands;

/** A pipeline of the same commands: queued calls, one round trip at `exec`. */
export type LimitsPipeline = { [K in keyof LimitCommands]: (...args: Parameters<LimitCommands[K]>) => LimitsPipeline } & {
  exec(): Promise<Array<[Error | null, unknown]> | null>;
};

export function pipelineOf(redis: LimitsRedis): LimitsPipeline {
  return redis.pipeline() as unknown as LimitsPipeline;
}

export function defineLimitCommands(redis: Redis): LimitsRedis {
  const scripts: Record<Exclude<keyof LimitCommands, 'limitsDecide'>, string> = {
    limitsAcquire: ACQUIRE,
    limitsRenew: RENEW,
    limitsSyncSliding: SYNC_SLIDING,
    limitsSyncCalendar: SYNC_CALENDAR,
  };
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { lua, numberOfKeys: 1 });
  redis.defineCommand('limitsDecide', { lua: DECIDE });
  return redis as LimitsRedis;
}
