import { describe, expect, it } from 'vitest';
import { DockerFrameParser } from '../../src/docker/frames.js';
import { LineSplitter, stripControl } from '../../src/logs/line-splitter.js';

function split(chunks: Buffer[], max?: number): string[] {
  const out: string[] = [];
  const s = new LineSplitter((l) => out.push(l), max);
  for (const c of chunks) s.push(c);
  s.flush();
  return out;
}

describe('LineSplitter', () => {
  it('splits on newlines, drops \\r, and holds a partial line until it is finished', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    s.push(Buffer.from('a\r\nb\npar'));
    expect(out).toEqual(['a', 'b']);
    expect(s.pending).toBe(3);
    s.push(Buffer.from('tial\n'));
    expect(out).toEqual(['a', 'b', 'partial']);
  });

  it('keeps a multi-byte character cut between two chunks intact', () => {
    const bytes = Buffer.from('障害レベル\n');
    expect(split([bytes.subarray(0, 4), bytes.subarray(4)])).toEqual(['障害レベル']);
  });

  it('does not keep a reference to a reused chunk', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    const buf = Buffer.from('abc');
    s.push(buf);
    buf.write('XYZ');
    s.push(Buffer.from('d\n'));
    expect(out).toEqual(['abcd']);
  });

  it('caps very long lines', () => {
    const out = split([Buffer.from('x'.repeat(25) + '\n')], 10);
    expect(out).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('strips colours and cursor movement but keeps tabs', () => {
    expect(stripControl('\x1b[31mERROR\x1b[0m\tdisk full\x1b]0;title\x07')).toBe('ERROR\tdisk full');
    expect(split([Buffer.from('\x1b[1;32mok\x1b[m\r\n')])).toEqual(['ok']);
  });
});

describe('DockerFrameParser', () => {
  const frame = (type: number, text: string): Buffer => {
    const payload = Buffer.from(text);
    const h = Buffer.alloc(8);
    h[0] = type;
    h.writeUInt32BE(payload.length, 4);
    return Buffer.concat([h, payload]);
  };

  it('demultiplexes stdout and stderr frames split at any byte', () => {
    const all = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err one\n'), frame(1, 'out two\n')]);
    for (let cut = 1; cut < all.length; cut += 3) {
      const got: string[] = [];
      const p = new DockerFrameParser((st, payload) => got.push(`${st}:${payload.toString()}`));
      p.push(all.subarray(0, cut));
      p.push(all.subarray(cut));
      expect(got).toEqual(['stdout:out one\n', 'stderr:err one\n', 'stdout:out two\n']);
    }
  });
});
