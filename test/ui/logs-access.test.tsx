// The access panel of the Logs view over a real access log: filled from the file's history on open,
// updated as lines are appended, its window switched with the window key.
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { formatClfTime } from '../../src/logs/access.js';
import { createOpsStore } from '../../src/state/store.js';
import { actionFixture, plain, type ActionFixture } from './action-fixtures.js';
import { rules } from './fixtures.js';
import { renderConsole } from './harness.js';

let fx: ActionFixture | null = null;
afterEach(async () => {
  cleanup();
  await fx?.dispose();
  fx = null;
});

function line(ip: string, t: number, p: string, status: number, secs: number): string {
  const stamp = formatClfTime(t);
  return `${ip} - - [${stamp}] "GET ${p} HTTP/1.1" ${status} 512 "-" "Mozilla/5.0" ${secs.toFixed(3)}`;
}

describe('Logs view access panel', () => {
  it('shows requests, status classes, slow responses and top lists, and switches the window', async () => {
    fx = actionFixture({
      logs: (dir) => ({ sources: [{ name: 'nginx', file: path.join(dir, 'access.log'), access: 'combined' }] }),
    });
    const file = path.join(fx.dir, 'access.log');
    const now = Date.now();
    writeFileSync(
      file,
      [
        line('2001:db8::7', now - 10 * 60_000, '/old', 200, 0.1), // only in 15m and longer windows
        line('203.0.113.9', now, '/api/items', 200, 0.1),
        line('203.0.113.9', now, '/api/items', 500, 1.5),
        line('198.51.100.4', now, '/login', 404, 0.3),
      ].join('\n') + '\n',
    );
    const store = createOpsStore({ rules, origins: { host: 'configured' } });
    const ui = renderConsole(store, { view: 'logs', actions: fx.controller, columns: 200, rows: 30 });
    let f = plain(await ui.waitFor((x) => /ACCESS 5m.* 3 requests/.test(plain(x)), 'the access panel'));
    expect(f).toMatch(/3 requests · 0\.6\/min/);
    expect(f).toMatch(/2xx 1 · 3xx 0 · 4xx 1 · 5xx 1/);
    expect(f).toMatch(/slow \(>1 s\) 1/);
    expect(f).toContain('top clients: 203.0.113.9 2 · 198.51.100.4 1');
    expect(f).toContain('top paths  : /api/items 2 · /login 1');

    await ui.command('logs.window');
    f = plain(await ui.waitFor((x) => plain(x).includes('ACCESS 15m'), 'the 15-minute window'));
    expect(f).toMatch(/4 requests/);
    expect(f).toContain('2001:db8::7 1');

    appendFileSync(file, `${line('203.0.113.9', Date.now(), '/api/items', 200, 0.05)}\nnot an access line\n`);
    f = plain(await ui.waitFor((x) => /5 requests/.test(plain(x)), 'an appended request'));
    expect(f).toContain('1 lines not access lines');
    expect(f).toContain('top clients: 203.0.113.9 3');
    await ui.command('logs.window', 'logs.window', 'logs.window');
    await ui.waitFor((x) => plain(x).includes('ACCESS 5m') && /4 requests/.test(plain(x)), 'back to 5 minutes');
  });
});
