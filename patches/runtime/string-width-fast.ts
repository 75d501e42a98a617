// A faster `string-width` for the bundled console. Ink measures every text node and, in its
// output buffer, every single character with string-width, which sends any string holding one
// non-ASCII character (a sparkline block, a box-drawing line, "—", "…", "✓") through
// Intl.Segmenter and several Unicode-property regular expressions. That was a tenth of the
// console's idle CPU and pages in ICU data. Here a string made only of characters whose width
// is their East Asian Width, each its own grapheme cluster, is summed directly, SGR codes
// (colour, bold) skipped; anything else (other escape sequences, combining marks, joiners,
// variation selectors, characters beyond the BMP, Hangul jamo, controls) goes to the real
// string-width, so results are identical: test/ui/string-width-fast.test.ts checks every code
// point the fast path accepts, and random strings, against it. The build aliases
// `string-width` to this module for Ink and its helpers (patches/string-width-fast.mjs).
import { eastAsianWidth } from 'get-east-asian-width';
import stringWidthOriginal from 'string-width';

export interface StringWidthOptions {
  ambiguousIsNarrow?: boolean;
  countAnsiEscapeCodes?: boolean;
}

/** Whether a BMP code unit is one whole grapheme cluster whose width is its East Asian Width. */
export function isSimpleCodeUnit(c: number): boolean {
  if (c < 0x2010) return (c >= 0xa0 && c <= 0x2ff && c !== 0xad) || (c >= 0x370 && c <= 0x482);
  if (c <= 0x2bff) {
    return c <= 0x2027 || (c >= 0x2030 && c <= 0x205e) || (c >= 0x2070 && c <= 0x20cf) || c >= 0x2100;
  }
  return (
    (c >= 0x3041 && c <= 0x3096) ||
    (c >= 0x30a1 && c <= 0x30fa) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xff01 && c <= 0xff60)
  );
}

/** Terminal cells taken by `input`, exactly as string-width counts them. */
export default function stringWidth(input: string, options?: StringWidthOptions): number {
  if (typeof input !== 'string' || input.length === 0) return 0;
  if (options !== undefined && (options.countAnsiEscapeCodes === true || options.ambiguousIsNarrow === false))
    return stringWidthOriginal(input, options);
  let width = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) width++;
    else if (isSimpleCodeUnit(c)) width += eastAsianWidth(c);
    else if (c === 0x1b) {
      // An SGR sequence (colour, bold, inverse…) takes no cells; anything else goes the long way.
      const end = sgrEnd(input, i);
      if (end < 0) return stringWidthOriginal(input, options);
      i = end;
    } else return stringWidthOriginal(input, options);
  }
  return width;
}

/**
 * The index of the `m` ending the SGR sequence `ESC [ params m` at `at`, or -1. Parameters are
 * numbers of at most four digits separated by semicolons: exactly what strip-ansi removes.
 */
function sgrEnd(s: string, at: number): number {
  if (s.charCodeAt(at + 1) !== 0x5b) return -1;
  let digits = 0;
  for (let j = at + 2; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x6d) return j;
    if (c === 0x3b) digits = 0;
    else if (c >= 0x30 && c <= 0x39 && digits < 4) digits++;
    else return -1;
  }
  return -1;
}
