import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { graphemeSegmenter } from '../../patches/runtime/ink-caches.js';

const segments = (str: string) => graphemeSegmenter().segment(str);
import fastWidth, { isSimpleCodeUnit } from '../../patches/runtime/string-width-fast.js';

// A deterministic pseudo-random sequence, so a failure names a reproducible string.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  'a',
  'Z',
  ' ',
  '0',
  '~',
  '%',
  '·',
  '…',
  '—',
  '✓',
  '✗',
  '▲',
  '●',
  '▁',
  '█',
  '─',
  '│',
  '┌',
  '°',
  'é',
  'ß',
  'Ω',
  'Ж',
  '€',
  '→',
  '⚠',
  '⌚',
  '☀',
  '日',
  '本',
  'ア',
  'ｱ',
  '한',
  'Ａ',
  '\u00ad',
  '\u0301',
  '\u200d',
  '\ufe0f',
  '\u1100\u1161',
  '👍',
  '👩‍💻',
  '🇩🇪',
  '\t',
  '\r\n',
  '\x07',
  '\x7f',
  '\x1b[1m',
  '\x1b[22m',
  '\x1b[7m',
  '\x1b[38;5;196m',
  '\x1b[38;2;255;128;0m',
  '\x1b[m',
  '\x1b[;m',
  '\x1b[0;;1m',
  '\x1b[12345m',
  '\x1b[1:2m',
  '\x1b]8;;https://x.example\x07',
  '\x1b]8;;\x07',
  '\x1b[2K',
  '\x1b[?25l',
  '\x9b31m',
  '\x1b',
  '\x1b[',
];

function randomStrings(n: number, seed: number): string[] {
  const next = rng(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: Math.floor(next() * 12) }, () => PIECES[Math.floor(next() * PIECES.length)]).join(''),
  );
}

describe('string-width-fast', () => {
  it('agrees with string-width on every code unit its fast path accepts', () => {
    let accepted = 0;
    for (let c = 0; c <= 0xffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCharCode(c);
      if (!isSimpleCodeUnit(c) && !(c >= 0x20 && c <= 0x7e)) continue;
      accepted++;
      if (fastWidth(s) !== stringWidth(s))
        expect.unreachable(`U+${c.toString(16)}: fast ${fastWidth(s)}, string-width ${stringWidth(s)}`);
    }
    // The fast path covers Latin, Greek, Cyrillic, punctuation, symbols, box drawing, CJK and Hangul syllables.
    expect(accepted).toBeGreaterThan(30_000);
  });

  it('agrees with string-width on random text mixing wide and combining characters, emoji and escape sequences', () => {
    for (const s of randomStrings(20_000, 42)) {
      if (fastWidth(s) !== stringWidth(s))
        expect.unreachable(`${JSON.stringify(s)}: fast ${fastWidth(s)}, string-width ${stringWidth(s)}`);
    }
  });

  it('passes the options through', () => {
    for (const s of ['\x1b[1mab\x1b[22m', '·±×', 'abc']) {
      expect(fastWidth(s, { countAnsiEscapeCodes: true })).toBe(stringWidth(s, { countAnsiEscapeCodes: true }));
      expect(fastWidth(s, { ambiguousIsNarrow: false })).toBe(stringWidth(s, { ambiguousIsNarrow: false }));
    }
    expect(fastWidth('±', { ambiguousIsNarrow: false })).toBe(2);
    expect(fastWidth('')).toBe(0);
  });

  it('counts the cells the console draws', () => {
    expect(fastWidth('\x1b[1mCPU\x1b[22m ▁▂▃ 91 % — 3m ago ✓')).toBe(23);
    expect(fastWidth('日本')).toBe(4);
  });
});

describe('segments', () => {
  it('splits into the grapheme clusters Intl.Segmenter finds', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    for (const s of randomStrings(20_000, 7)) {
      const ours = [...segments(s)].map(({ segment, index }) => [segment, index]);
      const theirs = [...segmenter.segment(s)].map(({ segment, index }) => [segment, index]);
      if (JSON.stringify(ours) !== JSON.stringify(theirs))
        expect.unreachable(`${JSON.stringify(s)}: ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)}`);
    }
  });

  it('answers containing(i) as Intl.Segmenter does (slice-ansi asks for the cluster at an index)', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const ours = graphemeSegmenter(undefined, { granularity: 'grapheme' });
    for (const s of randomStrings(3000, 11)) {
      const [a, b] = [ours.segment(s), segmenter.segment(s)];
      for (const i of [-1, 0, 0.5, 1, 2, s.length - 1, s.length, s.length + 3]) {
        const [x, y] = [a.containing(i), b.containing(i)];
        if (JSON.stringify(x) !== JSON.stringify(y))
          expect.unreachable(`${JSON.stringify(s)} at ${i}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
      }
      expect(JSON.stringify([...a])).toBe(JSON.stringify([...b]));
    }
    expect(() => graphemeSegmenter(undefined, { granularity: 'word' })).toThrow(/granularity/);
  });
});
