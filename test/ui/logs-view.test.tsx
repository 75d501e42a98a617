// The Logs view over real sources: a file followed as it grows, filtered (matches in reverse
// video), paused and resumed, scrolled; a command under a pty whose child is gone once the view
// is left or another source is chosen (one stream per pane).
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { createOpsStore } from '../../src/state/store.js';
import { lineSpans, safeLine, scrollWindow } from '../../src/ui/logs/log-text.js';
import { parseFilter } from '../../src/logs/filter.js';
import { actionFixture, plain, type ActionFixture } from './action-fixtures.js';
import { rules } from './fixtures.js';
import { renderConsole } from './harness.js';

let fx: ActionFixture | null = null;
afterEach(async () => {
  cleanup();
  await fx?.dispose();
  fx = null;
});

const store = () => createOpsStore({ rules, origins: { host: 'configured' } });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(test: () => boolean, what: string): Promise<void> {
  await waitFor(test, { what, timeoutMs: 10_000, intervalMs: 20 });
}

describe('log line display', () => {
  it('marks levels, highlights matches and never passes escapes through', () => {
    const f = parseFilter('boom');
    if (!f.ok || !f.filter) throw new Error('filter');
    const spans = lineSpans(
      { seq: 1, time: 0, level: 'error', text: 'ERROR boom at boom', ranges: f.filter.ranges('ERROR boom at boom') },
      f.filter,
    );
    expect(spans.map((s) => [s.text, s.inverse ?? false])).toEqual([
      ['✗ ', false],
      ['ERROR ', false],
      ['boom', true],
      [' at ', false],
      ['boom', true],
    ]);
    expect(safeLine({ text: '\x1b[31mred\x1b[0m\tboom\x07' }, f.filter)).toEqual({
      text: 'red boom ',
      ranges: [[4, 8]],
    });
    expect(scrollWindow([1, 2, 3, 4, 5], 2, 0)).toEqual({ shown: [4, 5], offset: 0, above: 3 });
    expect(scrollWindow([1, 2, 3, 4, 5], 2, 99)).toEqual({ shown: [1, 2], offset: 3, above: 0 });
  });
});

describe('Logs view', () => {
  it('follows a file, marks errors, counts them, filters with highlights, pauses and resumes, scrolls', async () => {
    fx = actionFixture({ logs: (dir) => ({ sources: [{ name: 'app', file: path.join(dir, 'app.log') }] }) });
    const file = path.join(fx.dir, 'app.log');
    writeFileSync(file, 'INFO started\n');
    const ui = renderConsole(store(), { view: 'logs', actions: fx.controller, columns: 100, rows: 30 });
    await ui.waitFor((f) => plain(f).includes('FOLLOWING') && plain(f).includes('INFO started'), 'the file followed');
    appendFileSync(file, 'INFO request 1\nERROR boom in worker\nWARN slow query\nINFO request 2\n');
    let f = plain(await ui.waitFor((x) => plain(x).includes('INFO request 2'), 'appended lines'));
    expect(f).toContain('✗ ERROR boom in worker');
    expect(f).toContain('! WARN slow query');
    expect(f).toMatch(/1 errors\/min · 5 lines · 1 warnings/);

    // Filter: only matching lines, the match in reverse video.
    await ui.command('logs.filter');
    await ui.waitFor('Filter log lines');
    await ui.press(...'/(/');
    await ui.command('input.accept');
    await ui.waitFor((x) => plain(x).includes('not a valid regular expression'), 'a bad regex refused in words');
    await ui.command('input.erase', 'input.erase', 'input.erase');
    await ui.press(...'boom');
    await ui.command('input.accept');
    const raw = await ui.waitFor((x) => plain(x).includes('filter boom: 1 shown'), 'the filter applied');
    f = plain(raw);
    expect(f).toContain('✗ ERROR boom in worker');
    expect(f).not.toContain('INFO request 1');
    expect(raw).toMatch(/\x1b\[[0-9;]*7[0-9;]*m(?:\x1b\[[0-9;]*m)*boom/); // eslint-disable-line no-control-regex

    // Clear the filter, pause: new lines wait below.
    await ui.command('logs.filter');
    await ui.waitFor('Filter log lines');
    await ui.command('input.erase', 'input.erase', 'input.erase', 'input.erase', 'input.accept');
    await ui.waitFor((x) => plain(x).includes('INFO request 1'), 'the filter cleared');
    await ui.command('logs.pause');
    await ui.waitFor((x) => plain(x).includes('PAUSED'), 'paused');
    appendFileSync(file, 'INFO after the pause\n');
    f = plain(await ui.waitFor((x) => plain(x).includes('▼ 1 newer line'), 'a newer line held back'));
    expect(f).not.toContain('INFO after the pause');
    await ui.command('bottom');
    f = plain(
      await ui.waitFor(
        (x) => plain(x).includes('INFO after the pause') && plain(x).includes('FOLLOWING'),
        'following again',
      ),
    );

    // Scroll back: k pauses and moves up a line, G follows the newest again.
    appendFileSync(file, `${Array.from({ length: 60 }, (_, i) => `INFO bulk ${i}`).join('\n')}\n`);
    await ui.waitFor((x) => plain(x).includes('INFO bulk 59'), 'the bulk');
    await ui.key('up', 'k');
    await ui.key('up', 'k');
    await ui.key('up', 'k');
    f = plain(
      await ui.waitFor(
        (x) => plain(x).includes('PAUSED') && plain(x).includes('INFO bulk 56') && !plain(x).includes('INFO bulk 57'),
        'scrolled up three lines',
      ),
    );
    await ui.key('page.up', 'pageup');
    await ui.waitFor((x) => !plain(x).includes('INFO bulk 56'), 'a page up');
    await ui.key('bottom', 'G');
    await ui.waitFor(
      (x) => plain(x).includes('INFO bulk 59') && plain(x).includes('FOLLOWING'),
      'the newest line again',
    );
  });

  it('stops the pty child when the view is left, and when another source is chosen', async () => {
    const cmd = (tag: string) => ['sh', '-c', `echo ${tag}-pid=$$; while :; do echo ${tag} tick; sleep 0.2; done`];
    fx = actionFixture({
      logs: {
        sources: [
          { name: 'first', command: cmd('first') },
          { name: 'second', command: cmd('second') },
        ],
      },
    });
    const ui = renderConsole(store(), { view: 'logs', actions: fx.controller, columns: 100, rows: 30, waitMs: 10_000 });
    const pidOf = (tag: string, f: string) => Number(new RegExp(`${tag}-pid=(\\d+)`).exec(plain(f))?.[1]);
    let f = await ui.waitFor((x) => /first-pid=\d+/.test(plain(x)), 'the first command');
    const first = pidOf('first', f);
    expect(alive(first)).toBe(true);

    // Another source: the first child is gone, the second runs.
    await ui.command('logs.source');
    await ui.waitFor('Choose a log source');
    await ui.command('down', 'drill');
    f = await ui.waitFor((x) => /second-pid=\d+/.test(plain(x)), 'the second command');
    const second = pidOf('second', f);
    await until(() => !alive(first), 'the first child to be gone');
    expect(alive(second)).toBe(true);

    // Leaving the view stops the stream and its child; the help overlay does not.
    await ui.command('help');
    await ui.waitFor('Everywhere');
    await ui.command('help.close');
    await ui.waitFor((x) => plain(x).includes('second tick'));
    expect(alive(second)).toBe(true);
    await ui.command('view.overview');
    await ui.waitFor('[1 Overview]');
    await until(() => !alive(second), 'the second child to be gone after leaving the view');
  });
});
