// End to end, the built binary in a real terminal (tmux): the Logs view following a file as lines
// are appended, and a sandbox container stopped through the confirmation dialog, with the audit
// trail written under $XDG_STATE_HOME. Keys are sent by name; every wait polls with a deadline.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { DockerEngine } from '../../src/docker/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxContainer } from '../../src/sandbox/docker-image.js';
import { dockerService, uniqueName, unavailable } from '../helpers/services.js';
import { boundKey, tmuxKey } from '../ui/keys.js';
import { Tmux } from './tmux.js';

const root = path.resolve(import.meta.dirname, '../..');

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const noTmux = hasTmux() ? false : 'tmux is not installed';

describe.skipIf(noTmux)('actions and logs in a real terminal', () => {
  const sessions: Tmux[] = [];
  let dir: string;

  beforeAll(() => {
    if (!existsSync(path.join(root, 'dist/main.js')))
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-e2e-actions-'));
  });
  afterAll(() => {
    for (const s of sessions) s.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function terminal(config: string): Tmux {
    const t = Tmux.start({ columns: 100, rows: 30, cwd: root, env: { XDG_STATE_HOME: path.join(dir, 'state') } });
    sessions.push(t);
    t.run('echo PRE-RUN-MARKER');
    t.run(`node bin/opsdeck.js --config ${config}; echo "EXIT=$?"`);
    return t;
  }

  it('follows a file in the Logs view and shows appended lines', async () => {
    const log = path.join(dir, 'app.log');
    writeFileSync(log, 'INFO opsdeck e2e first line\n');
    const config = path.join(dir, 'logs.yaml');
    writeFileSync(
      config,
      ['discover: false', 'logs:', '  sources:', `    - { name: app, file: ${JSON.stringify(log)} }`, ''].join('\n'),
    );
    const t = terminal(config);
    await t.waitFor('[1 Overview]', 20_000);
    t.command('view.logs');
    await t.waitFor(
      (s) => s.includes('[9 Logs]') && s.includes('FOLLOWING') && s.includes('INFO opsdeck e2e first line'),
      15_000,
      'the file followed',
    );
    appendFileSync(log, 'ERROR opsdeck e2e appended one\nINFO opsdeck e2e appended two\n');
    const s = await t.waitFor('INFO opsdeck e2e appended two', 10_000);
    expect(s).toContain('✗ ERROR opsdeck e2e appended one');
    expect(s).toMatch(/1 errors\/min · 3 lines/);
    t.command('logs.pause');
    await t.waitFor('PAUSED');
    appendFileSync(log, 'INFO opsdeck e2e while paused\n');
    await t.waitFor('▼ 1 newer line');
    t.send(tmuxKey(boundKey('bottom', 'end', 'global')));
    await t.waitFor((x) => x.includes('INFO opsdeck e2e while paused') && x.includes('FOLLOWING'));
    t.command('quit');
    await t.waitFor('EXIT=0');
  });

  describe.skipIf(unavailable('docker'))('with the sandbox Docker engine', () => {
    const name = uniqueName('e2e_stop');
    let docker: Docker;

    beforeAll(async () => {
      const ds = dockerService();
      docker = new Docker({ socketPath: ds.socketPath });
      await runSandboxContainer(new DockerEngine({ socketPath: ds.socketPath }), ds.image, {
        name,
        cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 0.2; done"],
      });
    });
    afterAll(async () => {
      await docker
        ?.getContainer(name)
        .remove({ force: true })
        .catch(() => undefined);
    });

    it('stops a container through the dialog and records it in the audit trail', async () => {
      const config = path.join(dir, 'docker.yaml');
      writeFileSync(
        config,
        [
          'discover: false',
          'targets:',
          `  docker: { socket: ${JSON.stringify(dockerService().socketPath)}, stopTimeout: 3s }`,
          '',
        ].join('\n'),
      );
      const t = terminal(config);
      await t.waitFor('[1 Overview]', 20_000);
      t.command('view.containers');
      await t.waitFor(name, 20_000, 'the container in the Containers view');
      t.command('filter');
      t.tmux('send-keys', '-t', 'main', '-l', name);
      t.command('input.accept');
      await t.waitFor(new RegExp(`› ${name}\\s+running`), 10_000, 'the container selected');
      t.command('container.stop');
      const dialog = await t.waitFor(`Run container.stop on ${name}? [y/N]`, 10_000);
      expect(dialog).toContain(`POST /containers/${name}/stop?t=3`);
      await t.waitFor('no other container depends on it', 10_000, 'the blast radius');
      t.command('question.yes');
      await t.waitFor((s) => s.includes('SUCCEEDED') && s.includes('Esc closes'), 20_000, 'the stop to finish');
      t.command('task.close');
      await t.waitFor(new RegExp(`› ${name}\\s+exited`), 15_000, 'the table showing it exited');
      expect((await docker.getContainer(name).inspect()).State.Running).toBe(false);
      t.command('quit');
      await t.waitFor('EXIT=0');
      const trail = readFileSync(path.join(dir, 'state', 'opsdeck', 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; action: string; target: string });
      expect(trail.map((e) => `${e.event} ${e.action} ${e.target}`)).toEqual([
        `confirmed container.stop ${name}`,
        `succeeded container.stop ${name}`,
      ]);
    });
  });
});
