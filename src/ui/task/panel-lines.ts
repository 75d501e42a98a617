// Panels as lists of plain lines (text plus a tone), so a panel can be measured, scrolled and cut
// to 80×24 before anything is drawn. Pure: steps, their commands, progress and output tails.
import type { StepState } from '../../plan/plan.js';
import { formatStepLine, formatStepProgress } from '../../restore/format.js';
import { displayWidth } from '../text.js';

export type Tone = 'ok' | 'bad' | 'warn' | 'muted' | 'accent';

export interface PanelLine {
  text: string;
  tone?: Tone;
  bold?: boolean;
  /** A differently painted start of the line (a step's state word). */
  lead?: { text: string; tone?: Tone; bold?: boolean };
}

/**
 * Splits `text` into lines of at most `width` cells, at spaces where it can, with `indent` before
 * every line after the first.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  let rest = text;
  let prefix = '';
  while (rest.length > 0) {
    const room = Math.max(8, width - displayWidth(prefix));
    if (displayWidth(rest) <= room) {
      out.push(prefix + rest);
      break;
    }
    let cut = 0;
    let w = 0;
    for (const ch of rest) {
      w += displayWidth(ch);
      if (w > room) break;
      cut += ch.length;
    }
    const space = rest.lastIndexOf(' ', cut);
    const at = space > room / 3 ? space : cut;
    out.push(prefix + rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
    prefix = indent;
  }
  return out.length ? out : [''];
}

/** Wrapped lines of one tone. */
export function wrapped(text: string, width: number, tone?: Tone, indent = '  '): PanelLine[] {
  return wrapText(text, width, indent).map((t) => (tone ? { text: t, tone } : { text: t }));
}

const SYMBOL: Record<StepState['status'], string> = {
  pending: '·',
  running: '▸',
  done: '✓',
  failed: '✗',
  cancelled: '⊘',
  skipped: '–',
};
const TONE: Partial<Record<StepState['status'], Tone>> = {
  done: 'ok',
  failed: 'bad',
  cancelled: 'warn',
  skipped: 'muted',
  pending: 'muted',
  running: 'accent',
};

/** One line per step (cut at the panel's width when drawn): symbol, "[3/9] title: state — note". */
export function stepLines(steps: readonly StepState[]): PanelLine[] {
  return steps.map((s, i) => {
    const tone = TONE[s.status];
    return {
      text: `${SYMBOL[s.status]} ${formatStepLine(i, steps.length, s)}`,
      ...(tone ? { tone } : {}),
      ...(s.status === 'running' ? { bold: true } : {}),
    };
  });
}

/** The step that matters now: the running one, else the failed one, else the next to run. */
export function focusStep(steps: readonly StepState[]): StepState | undefined {
  return (
    steps.find((s) => s.status === 'running') ??
    steps.find((s) => s.status === 'failed' || s.status === 'cancelled') ??
    steps.find((s) => s.status === 'pending')
  );
}

/**
 * The exact command of a step (before it runs, while it runs), its progress and the last `tail`
 * lines of its output.
 */
export function stepDetail(s: StepState, width: number, tail = 3): PanelLine[] {
  const verb = s.status === 'pending' ? 'next' : s.status === 'running' ? 'running' : s.status;
  const lines: PanelLine[] = [{ text: `${verb}: ${s.title}`, bold: true }];
  lines.push(
    ...wrapped(
      `${s.description.kind === 'argv' ? '$' : `${s.description.kind}:`} ${s.description.text}`,
      width,
      'muted',
      '    ',
    ).map((l) => ({ ...l, text: `  ${l.text}` })),
  );
  const progress = formatStepProgress(s);
  if (progress) lines.push({ text: `  progress: ${progress}`, tone: 'accent' });
  if (s.error && (s.status === 'failed' || s.status === 'cancelled'))
    lines.push(...wrapped(`  error: ${s.error}`, width, 'bad', '    '));
  for (const o of s.output.slice(-tail)) lines.push({ text: `  │ ${o}`, tone: 'muted' });
  return lines;
}
