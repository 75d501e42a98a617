// Pure display of the access panel over an access-log source in the Logs view: requests per
// minute, status classes, average / p95 / slow responses, then the top clients and paths of the
// chosen window (the window key cycles 5m → 15m → 1h → 24h).
import type { AccessSummary } from '../../logs/access.js';
import type { Span } from '../painted-line.js';
import { groupDigits } from '../../util/text.js';

const n = groupDigits;

function ms(v: number): string {
  if (v >= 10_000) return `${(v / 1000).toFixed(0)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(1)} s`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}

function rate(v: number): string {
  return v >= 100 ? n(Math.round(v)) : v.toFixed(1);
}

/** The panel's three lines; `key` is the window key's name for the hint. */
export function accessPanelLines(s: AccessSummary, key: string): Span[][] {
  const c = s.statusClasses;
  const head: Span[] = [
    { text: ` ACCESS ${s.window} `, inverse: true, bold: true },
    { text: ` (${key}: 5m/15m/1h/24h)`, dim: true },
    { text: ` · ${n(s.requests)} requests · ${rate(s.perMinute)}/min (${n(s.lastMinute)} this minute)`, bold: true },
    { text: ` · 2xx ${n(c[2])} · 3xx ${n(c[3])} · ` },
    { text: `4xx ${n(c[4])}`, color: c[4] > 0 ? 'yellow' : undefined },
    { text: ' · ' },
    { text: `5xx ${n(c[5])}`, bold: c[5] > 0, color: c[5] > 0 ? 'red' : undefined },
  ];
  if (c[1] + c[0] > 0) head.push({ text: ` · other ${n(c[1] + c[0])}` });
  const times: Span[] =
    s.avgMs === null
      ? [{ text: ' · no response times in this format', dim: true }]
      : [
          { text: ` · avg ${ms(s.avgMs)} · p95 ≈${ms(s.p95Ms ?? 0)} · ` },
          { text: `slow (>1 s) ${n(s.slow)}`, bold: s.slow > 0, color: s.slow > 0 ? 'yellow' : undefined },
        ];
  head.push(...times);
  if (s.unparsed > 0) head.push({ text: ` · ${n(s.unparsed)} lines not access lines`, dim: true });
  const approx = s.approximate ? '≈' : '';
  const list = (label: string, items: { key: string; count: number }[]): Span[] => [
    { text: `  ${label}: `, bold: true },
    {
      text:
        items.length === 0 ? 'none in this window' : items.map((i) => `${i.key} ${approx}${n(i.count)}`).join(' · '),
    },
  ];
  return [head, list('top clients', s.topClients), list('top paths  ', s.topPaths)];
}
