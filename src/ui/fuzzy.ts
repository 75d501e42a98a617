// Fuzzy matching for the command palette: the query's characters must appear in order;
// matches at word starts and runs of consecutive characters score higher.

export interface FuzzyMatch {
  score: number;
  /** Indices into the text of the matched characters, for highlighting. */
  positions: number[];
}

/** Scores `text` against `query` (case-insensitive); null when the query is not a subsequence. */
export function fuzzyMatch(query: string, text: string): FuzzyMatch | null {
  const q = query.toLowerCase().replace(/\s+/g, '');
  if (q === '') return { score: 0, positions: [] };
  const t = text.toLowerCase();
  const positions: number[] = [];
  let score = 0;
  let ti = 0;
  let prev = -2;
  for (const ch of q) {
    const found = t.indexOf(ch, ti);
    if (found < 0) return null;
    const atWordStart = found === 0 || /[\s._\-/:(]/.test(t[found - 1]!);
    score += 1;
    if (found === prev + 1) score += 4;
    if (atWordStart) score += 3;
    // A gap costs a little, so tight matches win over scattered ones.
    score -= Math.min(3, found - ti) * 0.25;
    positions.push(found);
    prev = found;
    ti = found + 1;
  }
  // Prefer shorter texts when the match is otherwise equal.
  score -= text.length * 0.01;
  return { score, positions };
}

/** Ranks items by their best-matching field; items that do not match are dropped. Stable for ties. */
export function fuzzyRank<T>(query: string, items: readonly T[], fields: (item: T) => readonly string[]): T[] {
  const scored: { item: T; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    let best: number | null = null;
    for (const field of fields(item)) {
      const m = fuzzyMatch(query, field);
      if (m !== null && (best === null || m.score > best)) best = m.score;
    }
    if (best !== null) scored.push({ item, score: best, index });
  });
  if (query.trim() === '') return scored.map((s) => s.item);
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((s) => s.item);
}
