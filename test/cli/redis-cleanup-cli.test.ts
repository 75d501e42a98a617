// `opsdeck redis cleanup PATTERN` against a real redis-server: --dry-run shows the count and a
// sample and deletes nothing; read-only mode refuses at the action layer; --yes deletes exactly
// the TTL-less keys under the pattern; each run is in the audit trail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/plan/audit.js';
import { registerActionCommands } from '../../src/cli/action-commands.js';
import { resolveConfig, type OpsdeckConfig } from '../../src/config/resolve.js';
import { configSchema } from '../../src/config/schema.js';
import { startRedis, type RedisSandbox } from '../../src/sandbox/index.js';

function sink(): Writable & { text: () => string } {
  let buf = '';
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return Object.assign(w, { text: () => buf });
}

describe('opsdeck redis cleanup', () => {
  let server: RedisSandbox;
  let r: Redis;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-redis-cli-'));
    server = await startRedis();
    r = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    await r.connect();
    await r.mset('cache:a', '1', 'cache:b', '2', 'cache:new\nline', '3', 'user:1', '4');
    await r.set('cache:kept', '5', 'EX', 3600);
  }, 30_000);
  afterAll(async () => {
    r?.disconnect();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function config(readOnly: boolean): Promise<OpsdeckConfig> {
    const parsed = configSchema.parse({
      audit: { path: path.join(dir, 'audit.jsonl') },
      targets: {
        docker: { enabled: false },
        postgres: { enabled: false },
        redis: { url: `redis://${server.host}:${server.port}/0` },
      },
      ...(readOnly ? { readOnly: true } : {}),
    });
    const c = await resolveConfig(parsed, { path: null, via: 'defaults' }, {}, { discover: false });
    return readOnly ? { ...c, readOnly: true } : c;
  }

  async function run(args: string[], cfg: OpsdeckConfig): Promise<{ code: number; out: string; err: string }> {
    const stdout = sink();
    const stderr = sink();
    let code = 0;
    const program = new Command('opsdeck').exitOverride();
    registerActionCommands(program, {
      loadConfig: async () => cfg,
      stdout,
      stderr,
      setCode: (n) => (code = n),
      stdin: Object.assign(new PassThrough(), { isTTY: false }),
    });
    await program.parseAsync(args, { from: 'user' });
    return { code, out: stdout.text(), err: stderr.text() };
  }

  it('--dry-run shows the count and a sample, deletes nothing', async () => {
    const res = await run(['redis', 'cleanup', 'cache:*', '--dry-run'], await config(false));
    expect(res.code).toBe(0);
    expect(res.out).toContain('redis.cleanup cache:*');
    expect(res.out).toContain('3 keys under cache:* without a TTL (4 scanned)');
    expect(res.out).toContain('e.g. "cache:new\\nline"');
    expect(res.out).toContain('(dry run: nothing was done)');
    expect(await r.dbsize()).toBe(5);
  });

  it('is refused in read-only mode by the action layer, exit 2, audited', async () => {
    const res = await run(['redis', 'cleanup', 'cache:*', '--yes'], await config(true));
    expect(res.code).toBe(2);
    expect(res.out).toContain('Refused: read-only mode');
    expect(await r.dbsize()).toBe(5);
    const audit = await readAudit(path.join(dir, 'audit.jsonl'));
    expect(audit.at(-1)?.event).toBe('refused');
  });

  it('--yes deletes exactly the TTL-less keys under the pattern', async () => {
    const res = await run(['redis', 'cleanup', 'cache:*', '--yes'], await config(false));
    expect(res.code).toBe(0);
    expect(res.out).toContain('Succeeded');
    expect((await r.keys('*')).sort()).toEqual(['cache:kept', 'user:1']);
    const audit = await readAudit(path.join(dir, 'audit.jsonl'));
    expect(audit.map((e) => e.event).slice(-2)).toEqual(['confirmed', 'succeeded']);
  });
});
