import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { createProbes } from '../../src/app/probes.js';

const config = (yaml: string) =>
  resolveConfig(parseConfigText(yaml, 'test.yaml'), { path: 'test.yaml', via: '--config' }, {}, { discover: false });

describe('createProbes', () => {
  it('always builds the host probe and leaves unconfigured targets out', async () => {
    const cfg = await config('probeTimeout: 1s\n');
    const probes = createProbes(cfg);
    expect(probes.map((p) => p.id)).toEqual(['host']);
    expect(cfg.origins.postgres).toBe('not_configured');
    const r = await probes[0]!.read(new AbortController().signal);
    expect(r.ok).toBe(true);
    await Promise.all(probes.map((p) => p.close()));
  });

  it('builds one probe per configured target with its interval, without connecting', async () => {
    const cfg = await config(
      [
        'targets:',
        '  host: { interval: 5s }',
        '  docker: { socket: /nonexistent/docker.sock, interval: 3s }',
        '  postgres: { host: 127.0.0.1, port: 1, interval: 4s }',
        '  redis: { url: "redis://127.0.0.1:1/0", interval: 6s }',
        '',
      ].join('\n'),
    );
    const probes = createProbes(cfg);
    expect(probes.map((p) => [p.id, p.interval])).toEqual([
      ['host', 5000],
      ['docker', 3000],
      ['postgres', 4000],
      ['redis', 6000],
    ]);
    await Promise.all(probes.map((p) => p.close()));
  });
});
