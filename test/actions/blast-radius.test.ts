// Who is affected before a database service is stopped: the clients it holds right now, read
// from the shared sandbox PostgreSQL and Redis (read-only use).
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseClientsOf, postgresClients, redisClients } from '../../src/actions/blast-radius.js';
import { configSchema } from '../../src/config/schema.js';
import { postgresService, redisService, uniqueName, unavailable } from '../helpers/services.js';

describe.skipIf(unavailable('postgres'))('postgresClients', () => {
  it('lists client connections grouped by application', async () => {
    const s = postgresService();
    const app = uniqueName('worker');
    const clients = [1, 2].map(
      () => new pg.Client({ host: s.host, port: s.port, user: s.user, database: s.database, application_name: app }),
    );
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const [line] = await postgresClients({
        host: s.host,
        port: s.port,
        user: s.user,
        database: s.database,
        interval: 2000,
        statementTimeout: 2000,
      });
      expect(line).toMatch(/^\d+ client connections?: /);
      expect(line).toContain(`2× ${app} (${s.user}@`);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});

describe.skipIf(unavailable('redis'))('redisClients', () => {
  it('lists clients by name and address, not counting itself', async () => {
    const s = redisService();
    const name = uniqueName('cache_user');
    const r = new Redis({ host: s.host, port: s.port, connectionName: name, lazyConnect: true });
    await r.connect();
    try {
      const [line] = await redisClients({ host: s.host, port: s.port, db: 0, tls: false, interval: 2000 });
      expect(line).toMatch(new RegExp(`1× ${name} \\(127\\.0\\.0\\.1\\)`));
      expect(line).not.toContain('opsdeck-blast-radius');
    } finally {
      r.disconnect();
    }
  });

  it('is only asked for database services that look like PostgreSQL or Redis', async () => {
    const s = redisService();
    const of = databaseClientsOf({
      postgres: null,
      redis: { host: s.host, port: s.port, db: 0, tls: false, interval: 2000 },
    });
    const [redisSvc, appSvc] = configSchema.parse({
      services: [
        { name: 'redis', group: 'database', systemd: 'redis-server.service' },
        { name: 'app', group: 'application', systemd: 'app.service' },
      ],
    }).services;
    expect(await of(redisSvc!, AbortSignal.timeout(5000))).toEqual([expect.stringMatching(/clients?/)]);
    expect(await of(appSvc!, AbortSignal.timeout(5000))).toBeUndefined();
  });
});
