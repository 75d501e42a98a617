import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { crashReport, writeCrashLog } from '../../src/ui/crash-log.js';
import { exitCodeFor } from '../../src/ui/exit-watch.js';
import { FrameWriter } from '../../src/ui/frame-writer.js';
import { enterFullscreen } from '../../src/ui/terminal.js';
import { waitFor } from '../helpers/wait.js';

class FakeTerminal extends EventEmitter {
  columns = 80;
  rows = 24;
  writable = true;
  destroyed = false;
  isTTY = true;
  isRaw = false;
  out: string[] = [];
  write(s: string) {
    this.out.push(s);
    return true;
  }
  setRawMode(raw: boolean) {
    this.isRaw = raw;
  }
  text() {
    return this.out.join('');
  }
}

const term = () => new FakeTerminal() as FakeTerminal & NodeJS.WriteStream;
/** Waits until the writer has drawn everything it was given (its coalescing timer has fired). */
const settle = (w: FrameWriter) => waitFor(() => w.idle, { what: 'the frame writer to draw' });

describe('FrameWriter', () => {
  it('draws the first frame whole, then only the lines that changed, never clearing the screen', async () => {
    const t = term();
    const w = new FrameWriter(t, { minIntervalMs: 0 });
    w.write('header 12:00:00\nbody one\nbody two\nfooter');
    await settle(w);
    expect(t.text()).toContain('\x1b[1;1H\x1b[2Kheader 12:00:00');
    expect(t.text()).toContain('\x1b[4;1H\x1b[2Kfooter');
    t.out = [];
    w.write('header 12:00:01\nbody one\nbody two\nfooter');
    await settle(w);
    expect(t.text()).toContain('\x1b[1;1H\x1b[2Kheader 12:00:01');
    expect(t.text()).not.toContain('body one');
    expect(t.text()).not.toContain('\x1b[2J');
    expect(t.text().startsWith('\x1b[?2026h')).toBe(true); // one synchronized update
    expect(w.stats).toMatchObject({ drawn: 2, linesWritten: 5, clears: 0 });
    w.detach();
  });

  it('skips frames identical to what is on screen and coalesces bursts into one draw', async () => {
    const t = term();
    const w = new FrameWriter(t, { minIntervalMs: 30 });
    w.write('a\nb');
    await settle(w);
    w.write('a\nb');
    for (let i = 0; i < 20; i++) w.write(`a\n${i}`);
    await settle(w);
    expect(w.stats.received).toBe(22);
    expect(w.stats.drawn).toBe(2);
    expect(t.text()).toContain('\x1b[2;1H\x1b[2K19');
    expect(t.text()).not.toContain('\x1b[2K18');
    w.detach();
  });

  it('clears and repaints everything after a resize, and forwards the resize to Ink', async () => {
    const t = term();
    const w = new FrameWriter(t, { minIntervalMs: 0 });
    let resized = 0;
    w.on('resize', () => resized++);
    w.write('one\ntwo');
    await settle(w);
    t.out = [];
    t.columns = 120;
    t.emit('resize');
    await settle(w);
    expect(resized).toBe(1);
    expect(w.columns).toBe(120);
    expect(t.text()).toContain('\x1b[H\x1b[2J');
    expect(t.text()).toContain('one');
    expect(t.text()).toContain('two');
    w.detach();
  });
});

describe('fullscreen lifecycle', () => {
  it('enters the alternate screen with the cursor hidden and restores exactly once', () => {
    const t = term();
    const input = term() as unknown as NodeJS.ReadStream & FakeTerminal;
    input.isRaw = true;
    const screen = enterFullscreen(t, input);
    expect(t.text()).toContain('\x1b[?1049h');
    expect(t.text()).toContain('\x1b[?25l');
    t.out = [];
    screen.restore();
    screen.restore();
    expect(t.text().split('\x1b[?1049l')).toHaveLength(2);
    expect(t.text()).toContain('\x1b[?25h');
    expect(t.text().indexOf('\x1b[?25h')).toBeLessThan(t.text().indexOf('\x1b[?1049l'));
    expect(input.isRaw).toBe(false);
    expect(screen.restored).toBe(true);
  });

  it('survives a terminal that is gone (SSH drop)', () => {
    const t = term();
    const screen = enterFullscreen(t, term() as unknown as NodeJS.ReadStream);
    t.write = () => {
      throw new Error('EIO');
    };
    expect(() => screen.restore()).not.toThrow();
  });

  it('maps exit reasons to exit codes', () => {
    expect(exitCodeFor({ kind: 'quit' })).toBe(0);
    expect(exitCodeFor({ kind: 'signal', signal: 'SIGTERM' })).toBe(143);
    expect(exitCodeFor({ kind: 'signal', signal: 'SIGHUP' })).toBe(129);
    expect(exitCodeFor({ kind: 'crash', error: new Error('x') })).toBe(1);
  });

  it('writes a crash log with the stack and the cause under the state directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-crash-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const err = new Error('render exploded', { cause: new Error('bad reading') });
    const file = writeCrashLog(path.join(dir, 'state'), err, {
      version: '0.1.0',
      columns: 80,
      rows: 24,
      view: 'overview',
    });
    expect(file).toMatch(/state\/crash-.*\.log$/);
    const text = readFileSync(file!, 'utf8');
    expect(text).toContain('render exploded');
    expect(text).toContain('caused by:');
    expect(text).toContain('bad reading');
    expect(text).toContain('terminal: 80×24');
    expect(crashReport('a string', {})).toContain("'a string'");
  });
});

describe('FrameWriter corner (the header clock)', () => {
  it('draws the clock at the right end of line 1 without a frame, and again after line 1 is rewritten', async () => {
    const t = term();
    const w = new FrameWriter(t, { minIntervalMs: 0 });
    w.setCorner('12:00:00');
    w.write('header\nbody');
    await settle(w);
    expect(t.text()).toContain('\x1b[1;73H\x1b[0m12:00:00');
    t.out = [];
    w.setCorner('12:00:01');
    expect(t.text()).toBe('\x1b[?2026h\x1b[1;73H\x1b[0m12:00:01\x1b[?2026l');
    expect(w.stats.drawn).toBe(1);
    t.out = [];
    w.write('header changed\nbody');
    await settle(w);
    expect(t.text()).toContain('header changed');
    expect(t.text()).toContain('12:00:01');
    w.detach();
  });
});
