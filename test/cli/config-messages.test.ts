// zod's English wording as the built binary prints it (dist/ bundles zod with the English locale
// only; see scripts/build-plugins.mjs): one line per problem (in the schema's key order), each in
// the words the source tests in test/config/messages.test.ts expect. Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const bin = path.resolve('bin/opsdeck.js');
const dir = mkdtempSync(path.join(tmpdir(), 'opsdeck-cli-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the built binary words every kind of config problem as the source does', () => {
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(
    file,
    [
      'targets:',
      '  redis: { url: 6379 }', // invalid_type
      '  postgres: { port: 70000 }', // too_big
      'logs: { sources: [{ name: "", file: /x }] }', // too_small
      'backups: { files: [{ name: "a b", paths: [/etc] }] }', // invalid_format, zod's own message
      'probeTimeout: true', // invalid_union
      '',
    ].join('\n'),
  );
  const r = spawnSync(process.execPath, [bin, 'status', '--config', file], {
    encoding: 'utf8',
    cwd: dir,
    timeout: 20_000,
    env: { PATH: process.env.PATH, HOME: dir },
  });
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toEqual([
    'opsdeck: configuration error',
    `${file}:6: probeTimeout: Invalid input`,
    `${file}:3: targets.postgres.port: expected number to be <=65535`,
    `${file}:2: targets.redis.url: expected string, got number`,
    `${file}:4: logs.sources.0.name: expected string to have >=1 characters`,
    `${file}:5: backups.files.0.name: Invalid string: must match pattern /^[A-Za-z0-9_.-]+$/`,
  ]);
});
