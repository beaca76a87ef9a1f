import { readFileSync } from "node:fs";
import { Redis, type RedisOptions } from "ioredis";

export interface RedisSettings {
  readonly url: string;
  readonly tlsCaFile?: string;
}

/**
 * A Redis connection for BullMQ. Workers need `maxRetriesPerRequest: null` (blocking commands
 * must not give up); producers fail fast instead so an HTTP request does not hang forever.
 */
export function createRedis(settings: RedisSettings, role: "worker" | "producer"): Redis {
  const opts: RedisOptions = {
    maxRetriesPerRequest: role === "worker" ? null : 3,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 6), 10_000),
    lazyConnect: false,
  };
  if (settings.url.startsWith("rediss://") || settings.tlsCaFile) {
    opts.tls = settings.tlsCaFile ? { ca: readFileSync(settings.tlsCaFile) } : {};
  }
  const redis = new Redis(settings.url, opts);
  // Errors surface through commands; an unhandled 'error' event would crash the process.
  redis.on("error", () => {});
  return redis;
}

/** Whether a Redis answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  r.on("error", () => {});
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
