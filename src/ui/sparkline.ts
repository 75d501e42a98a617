// Sparklines: a run of block characters, one per sample, scaled to a fixed range so that a
// flat 20 % does not look like a spike.
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** The last `width` samples as block characters scaled to [min, max]; gaps (null) are blank. */
export function sparkline(values: readonly (number | null)[], width: number, min = 0, max = 100): string {
  if (width <= 0) return '';
  const tail = values.slice(-width);
  const span = max - min || 1;
  const chars = tail.map((v) => {
    if (v === null || !Number.isFinite(v)) return ' ';
    const ratio = Math.max(0, Math.min(1, (v - min) / span));
    return BLOCKS[Math.min(BLOCKS.length - 1, Math.floor(ratio * BLOCKS.length))]!;
  });
  return ' '.repeat(Math.max(0, width - chars.length)) + chars.join('');
}
