// The pure stream row counter: COPY blocks of a plain dump, in any chunking.
import { describe, expect, it } from 'vitest';
import { CopyRowCounter, parseCopyHeader, tableKey, type CopyCounts } from '../../src/backup/copy-count.js';

// Shaped like pg_dump's plain output: schema part, then one COPY block per table, then the end.
const SAMPLE = [
  '--',
  '-- PostgreSQL database dump',
  '--',
  'CREATE TABLE public.copy_note (v text);',
  "COMMENT ON TABLE public.copy_note IS 'a line starting with COPY that is no header';",
  'COPY is a word here',
  '',
  '--',
  '-- Data for Name: Mixed Case; Type: TABLE DATA; Schema: Odd Schema; Owner: postgres',
  '--',
  '',
  'COPY "Odd Schema"."Mixed Case" (v) FROM stdin;',
  'line1\\nwith newline',
  'tab\\there',
  '\\\\.',
  '\\\\',
  '\\.',
  '',
  'COPY public."quo""te" (id, "a b") FROM stdin;',
  '1\tCOPY public.empty_t (id) FROM stdin;',
  '2\t\\N',
  '\\.',
  '',
  'COPY public.empty_t (id) FROM stdin;',
  '\\.',
  '',
  'COPY public.copy_note (v) FROM stdin;',
  'COPY public.empty_t (id) FROM stdin;',
  '\\.',
  '',
  'COPY public."order" (x) FROM stdin;',
  '',
  '\\.',
  '',
  '--',
  '-- PostgreSQL database dump complete',
  '--',
  '',
].join('\n');

const EXPECTED: Record<string, number> = {
  [tableKey('Odd Schema', 'Mixed Case')]: 4,
  [tableKey('public', 'quo"te')]: 2,
  [tableKey('public', 'empty_t')]: 0,
  [tableKey('public', 'copy_note')]: 1,
  [tableKey('public', 'order')]: 1,
};

const plain = (r: CopyCounts) => ({
  counts: Object.fromEntries(r.counts),
  duplicates: [...r.duplicates],
  unreadable: r.unreadable,
  truncated: r.truncated,
});

function countChunks(chunks: Buffer[]): CopyCounts {
  const c = new CopyRowCounter();
  for (const b of chunks) c.push(b);
  return c.result();
}

describe('CopyRowCounter', () => {
  const bytes = Buffer.from(SAMPLE, 'utf8');

  it('counts the rows of every COPY block, an empty one as 0, escaped newlines and a `\\\\.` row as data', () => {
    expect(plain(countChunks([bytes]))).toEqual({ counts: EXPECTED, duplicates: [], unreadable: 0, truncated: false });
  });

  it('gives the same counts whatever byte offset the stream is split at', () => {
    const want = plain(countChunks([bytes]));
    for (let i = 0; i <= bytes.length; i++) {
      expect(plain(countChunks([bytes.subarray(0, i), bytes.subarray(i)])), `split at ${i}`).toEqual(want);
    }
    for (let i = 1; i < bytes.length; i += 7) {
      for (const j of [i + 1, i + 2, i + 3, i + 13]) {
        expect(
          plain(countChunks([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)])),
          `split at ${i} and ${j}`,
        ).toEqual(want);
      }
    }
    expect(plain(countChunks([...bytes].map((b) => Buffer.from([b]))))).toEqual(want);
  });

  it('reports a table whose header appears twice, and a stream that ends inside a block', () => {
    const twice = Buffer.from(
      `COPY public.t (a) FROM stdin;\n1\n\\.\n` +
        `COPY public.t (a) FROM stdin;\n1\n2\n\\.\n` +
        `COPY public.u (a) FROM stdin;\n1\n`,
    );
    const r = countChunks([twice]);
    expect([...r.duplicates]).toEqual([tableKey('public', 't')]);
    expect(r.truncated).toBe(true);
    expect(r.counts.has(tableKey('public', 'u'))).toBe(false);
  });

  it('keeps its place through a block whose name it cannot read', () => {
    const odd = Buffer.from(
      `COPY public."unterminated (a) FROM stdin;\n` +
        `COPY public.t (a) FROM stdin;\n\\.\n` +
        `COPY public.t (a) FROM stdin;\n1\n\\.\n`,
    );
    const r = countChunks([odd]);
    expect(r.unreadable).toBe(1);
    expect(Object.fromEntries(r.counts)).toEqual({ [tableKey('public', 't')]: 1 });
  });

  it('keeps only the end of an over-long COPY line, and still sees that it opens a block', () => {
    const cols = 'c'.repeat(1_200_000);
    const long = Buffer.from(
      `COPY public.wide (${cols}) FROM stdin;\n1\n\\.\nCOPY public.t (a) FROM stdin;\n1\n2\n\\.\n`,
    );
    const r = countChunks([long.subarray(0, 700_000), long.subarray(700_000, 1_200_010), long.subarray(1_200_010)]);
    expect(r.unreadable).toBe(1);
    expect(Object.fromEntries(r.counts)).toEqual({ [tableKey('public', 't')]: 2 });
  });
});

describe('parseCopyHeader', () => {
  it('reads quoted and unquoted names back to the raw names', () => {
    expect(parseCopyHeader('COPY public.incidents (id, title) FROM stdin;')).toEqual({
      schema: 'public',
      table: 'incidents',
    });
    expect(parseCopyHeader('COPY "Odd Schema"."T" (v) FROM stdin;')).toEqual({ schema: 'Odd Schema', table: 'T' });
    expect(parseCopyHeader('COPY public."a""b.c d" (v) FROM stdin;')).toEqual({ schema: 'public', table: 'a"b.c d' });
    expect(parseCopyHeader('COPY s1.t_2$x  FROM stdin;')).toEqual({ schema: 's1', table: 't_2$x' });
    expect(parseCopyHeader('COPY public."café" (v) FROM stdin;')).toEqual({ schema: 'public', table: 'café' });
  });

  it('is undefined for lines that are no COPY header, null for a header it cannot read', () => {
    expect(parseCopyHeader('COPY is a word here')).toBeUndefined();
    expect(parseCopyHeader('-- COPY public.t (a) FROM stdin;')).toBeUndefined();
    expect(parseCopyHeader('COPY public.t (a) TO stdout;')).toBeUndefined();
    expect(parseCopyHeader('COPY t (a) FROM stdin;')).toBeNull();
    expect(parseCopyHeader('COPY "unterminated.t (a) FROM stdin;')).toBeNull();
  });
});
