// The `/` filter of the Logs view: a substring, or a regex written as /pattern/flags. Smart case:
// an all-lowercase query ignores case, any capital makes it exact. Match ranges let the view
// highlight what matched.

export type MatchRange = readonly [start: number, end: number];

export interface LogFilter {
  kind: 'substring' | 'regex';
  /** What the operator typed. */
  source: string;
  test(text: string): boolean;
  /** Where the filter matches in `text` (at most `limit` ranges). */
  ranges(text: string, limit?: number): MatchRange[];
}

export type FilterParse = { ok: true; filter: LogFilter | null } | { ok: false; error: string };

/** Parses what the operator typed; an empty query means no filter, a bad regex is an error in words. */
export function parseFilter(input: string): FilterParse {
  if (input === '') return { ok: true, filter: null };
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(input);
  if (m && m[1] !== '') {
    const body = m[1]!;
    let flags = m[2]!.replace(/[gy]/g, '');
    if (!flags.includes('i') && !/[A-Z]/.test(body.replace(/\\[A-Za-z]/g, ''))) flags += 'i';
    try {
      return { ok: true, filter: regexFilter(input, new RegExp(body, flags)) };
    } catch (err) {
      return {
        ok: false,
        error: `not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
      };
    }
  }
  return { ok: true, filter: substringFilter(input) };
}

function substringFilter(query: string): LogFilter {
  const fold = query === query.toLowerCase();
  return {
    kind: 'substring',
    source: query,
    test: fold ? (t) => t.toLowerCase().includes(query) : (t) => t.includes(query),
    ranges: (text, limit = 50) => {
      const hay = fold ? text.toLowerCase() : text;
      const out: MatchRange[] = [];
      // toLowerCase can change length for a few scripts; ranges are then approximate, never out of bounds.
      for (let i = hay.indexOf(query); i >= 0 && out.length < limit; i = hay.indexOf(query, i + query.length)) {
        out.push([Math.min(i, text.length), Math.min(i + query.length, text.length)]);
      }
      return out;
    },
  };
}

function regexFilter(source: string, re: RegExp): LogFilter {
  const global = new RegExp(re.source, `${re.flags}g`);
  return {
    kind: 'regex',
    source,
    test: (t) => re.test(t),
    ranges: (text, limit = 50) => {
      const out: MatchRange[] = [];
      global.lastIndex = 0;
      for (let m = global.exec(text); m && out.length < limit; m = global.exec(text)) {
        if (m[0].length === 0) {
          global.lastIndex++; // an empty match (e.g. /x*/) would otherwise loop forever
          continue;
        }
        out.push([m.index, m.index + m[0].length]);
      }
      return out;
    },
  };
}
