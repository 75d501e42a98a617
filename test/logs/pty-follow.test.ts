// A command tailed under node-pty: its lines arrive, and stop() leaves no process behind —
// neither the command nor anything it started in its process group.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { followCommand, type CommandStream } from '../../src/logs/pty-follow.js';
import type { SourceSink } from '../../src/logs/types.js';
import { waitFor } from '../helpers/wait.js';

let stream: CommandStream | null = null;
afterEach(async () => {
  await stream?.stop();
  stream = null;
});

function collector() {
  const lines: string[] = [];
  const ends: string[] = [];
  const sink: SourceSink = {
    lines: (ls) => lines.push(...ls),
    status: () => undefined,
    end: (r) => ends.push(r),
  };
  const until = (pred: () => boolean, what: string): Promise<unknown> =>
    waitFor(pred, {
      timeoutMs: 20_000,
      intervalMs: 20,
      what,
      lastSeen: () => `lines: ${JSON.stringify(lines)}; ends: ${ends.join(' | ')}`,
    });
  return { lines, ends, sink, until };
}

/** True while a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid && rest[0] !== 'Z') out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('followCommand', () => {
  it('streams the lines of a long-running command and kills its whole process group on stop', async () => {
    const c = collector();
    // A shell with a child (`sleep`) and a pipeline: all of it must go when the view is left.
    stream = followCommand(
      ['sh', '-c', 'echo "ERROR first"; printf "\\033[32mgreen\\033[0m\\r\\n"; sleep 300 | cat; echo never'],
      c.sink,
    );
    const pid = stream.pid;
    await c.until(() => c.lines.length >= 2, 'two lines');
    expect(c.lines.slice(0, 2)).toEqual(['ERROR first', 'green']);
    await c.until(() => groupMembers(pid).length >= 3, 'the sleep | cat pipeline');
    const members = groupMembers(pid);
    await stream.stop();
    stream = null;
    expect(alive(pid)).toBe(false);
    for (const m of members) expect(alive(m), `group member ${m}`).toBe(false);
    expect(groupMembers(pid)).toEqual([]);
    expect(c.ends).toEqual([]); // a stop is not reported as the command ending
  });

  it('reports the exit of a command that ends by itself', async () => {
    const c = collector();
    stream = followCommand(['sh', '-c', 'echo done; exit 3'], c.sink);
    await c.until(() => c.ends.length > 0, 'the end');
    expect(c.lines).toContain('done');
    expect(c.ends[0]).toMatch(/exited with code 3/);
  });

  it('passes an argument with shell metacharacters as one argument, never to a shell', async () => {
    const marker = `/tmp/opsdeck-pwned-${process.pid}-pty`;
    const c = collector();
    stream = followCommand(['echo', `x; touch ${marker}`, '$(touch', `${marker})`], c.sink);
    await c.until(() => c.ends.length > 0, 'echo to exit');
    expect(c.lines).toContain(`x; touch ${marker} $(touch ${marker})`);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('followCommand with a bad command', () => {
  it('reports it as the end of the source instead of throwing', async () => {
    const c = collector();
    stream = followCommand(['/nonexistent/opsdeck-cmd'], c.sink);
    await c.until(() => c.ends.length > 0, 'the end');
    expect(c.ends[0]).toMatch(/opsdeck-cmd/);
    const empty = collector();
    const s = followCommand([], empty.sink);
    expect(empty.ends).toEqual(['cannot run (nothing): the command is empty']);
    await s.stop();
  });
});
