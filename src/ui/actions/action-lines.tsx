// The small pieces of action UI around the views: the header's READ-ONLY / ARMED 12m badge, the
// prompt lines above the footer, and the one-line flash that replaces the footer for a while.
import { Box, Text } from 'ink';
import { useCallback } from 'react';
import { useTimeText } from '../clock.js';
import { keysFor } from '../key-hints.js';
import { PaintedLine } from '../painted-line.js';
import { useOps } from '../store-context.js';
import { uiColor } from '../theme.js';
import { useActions, useActionState } from './action-context.js';
import { remaining } from '../../present/format.js';

function ArmedBadge({ until }: { until: number }) {
  const format = useCallback((now: number) => remaining(until - now), [until]);
  const left = useTimeText(format);
  const color = uiColor('badge');
  return (
    <Text inverse bold {...(color ? { color: 'red' } : {})}>
      {` ARMED ${left} `}
    </Text>
  );
}

/** The header badge: READ-ONLY (with the arming key), ARMED and the time left, or nothing when writable. */
export function GuardBadge() {
  const hasActions = useActions() !== null;
  const guard = useActionState((s) => s.guard);
  const readOnly = useOps((s) => s.readOnly);
  const color = uiColor('badge');
  if (hasActions && guard.mode === 'armed') return <ArmedBadge until={guard.until} />;
  if (hasActions ? guard.mode !== 'read-only' : !readOnly) return null;
  return (
    <Text>
      <Text inverse bold {...(color ? { color } : {})}>
        {' READ-ONLY '}
      </Text>
      {hasActions ? (
        <Text {...(uiColor('muted') ? { color: uiColor('muted')! } : {})}>{` ${keysFor('arm')} arms`}</Text>
      ) : null}
    </Text>
  );
}

/** Lines the open prompt takes above the footer (0 when none is open). */
export const PROMPT_LINES = 2;

/** The open prompt: its title and note, then the label, the text typed and why it was refused. */
export function PromptLines({ width }: { width: number }) {
  const prompt = useActionState((s) => s.prompt);
  if (!prompt) return null;
  return (
    <Box flexDirection="column" width={width} height={PROMPT_LINES}>
      <PaintedLine
        width={width}
        spans={[
          { text: prompt.title, bold: true, inverse: true },
          { text: prompt.note ? `  ${prompt.note}` : '', dim: true },
        ]}
      />
      <PaintedLine
        width={width}
        spans={[
          { text: prompt.label, bold: true },
          { text: `${prompt.text}▏` },
          { text: prompt.error ? `   ✗ ${prompt.error}` : '', color: 'red', bold: true },
        ]}
      />
    </Box>
  );
}

const FLASH_MS = 10_000;

/** Whether a flash is showing: set less than 10 s ago. */
export function useFlash(): { text: string; error: boolean } | null {
  const flash = useActionState((s) => s.flash);
  const at = flash?.at ?? 0;
  const fresh = useTimeText(useCallback((now: number) => (now - at < FLASH_MS ? 'y' : 'n'), [at]));
  return flash && fresh === 'y' ? flash : null;
}

/** The flash line (in place of the footer). */
export function FlashLine({ width, flash }: { width: number; flash: { text: string; error: boolean } }) {
  return (
    <PaintedLine
      width={width}
      spans={[
        { text: flash.error ? '✗ ' : '› ', bold: true, color: flash.error ? 'red' : undefined },
        { text: flash.text, bold: flash.error },
      ]}
    />
  );
}
