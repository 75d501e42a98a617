// One ioredis connection for an action (the clean-up): no reconnects, no offline queue, the
// password from config only (never argv or logs), the configured database selected.
import { Redis } from 'ioredis';
import type { RedisConnection } from '../config/resolve.js';

export function redisClient(c: RedisConnection, timeoutMs = 5_000): Redis {
  const client = new Redis({
    host: c.host,
    port: c.port,
    db: c.db,
    ...(c.username ? { username: c.username } : {}),
    ...(c.password ? { password: c.password } : {}),
    ...(c.tls ? { tls: {} } : {}),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    connectTimeout: timeoutMs,
  });
  client.on('error', () => undefined); // connect() and each command reject with the cause
  return client;
}
