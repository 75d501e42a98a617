import { Box } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { PaintedLine, paintSpans } from '../../src/ui/painted-line.js';

afterEach(() => cleanup());

describe('PaintedLine', () => {
  it('fits spans to the width exactly, cutting with … and padding with blanks', () => {
    expect(paintSpans([{ text: 'abc' }, { text: 'def' }], 5, false)).toBe('abcd…');
    expect(paintSpans([{ text: 'ab' }], 5, false)).toBe('ab   ');
    expect(
      paintSpans(
        [
          { text: 'ab', inverse: true },
          { text: 'c', color: 'red' },
        ],
        4,
        false,
      ),
    ).toBe('\x1b[7mab\x1b[0mc ');
    expect(paintSpans([{ text: 'c', color: 'red' }], 1, true)).toBe('\x1b[31mc\x1b[0m');
  });

  it('paints the text into the cells of a blank of the same width', () => {
    const lines = ['first line of a log', 'second line'];
    const app = render(
      <Box flexDirection="column" width={30}>
        {lines.map((l, i) => (
          <PaintedLine key={i} spans={[{ text: l }]} width={30} />
        ))}
        <PaintedLine spans={[{ text: 'x'.repeat(40) }]} width={30} />
      </Box>,
    );
    const f = app.lastFrame() ?? '';
    expect(f.split('\n')[0]).toBe('first line of a log');
    expect(f).toContain('second line');
    expect(f.split('\n')[2]).toBe(`${'x'.repeat(29)}…`);
  });
});
