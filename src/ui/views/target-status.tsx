// The state of a target's data in one line: not configured, waiting for the first read,
// unreachable (with the age of the last good data), or nothing at all when data is fresh.
import { Text } from 'ink';
import type { TargetState } from '../../state/store.js';
import { levelColor, uiColor } from '../theme.js';
import { useAge } from './age.js';

export type DataState = 'not_configured' | 'waiting' | 'down' | 'fresh';

/** Where a target's data stands. */
export function dataState(t: TargetState | undefined): DataState {
  if (!t || t.origin === 'not_configured' || t.origin === 'disabled') return 'not_configured';
  if (t.latest === null) return 'waiting';
  if (!t.latest.ok) return t.latest.error?.kind === 'not_configured' ? 'not_configured' : 'down';
  return 'fresh';
}

/** The reading of a target's last good read, typed by the caller (probes own the types). */
export function readingOf<R>(t: TargetState | undefined): R | null {
  return (t?.lastOk?.reading as R | undefined) ?? null;
}

/** One status line for a target whose data is not fresh; null when it is. */
export function TargetStatus({ target, name, hint }: { target: TargetState | undefined; name: string; hint?: string }) {
  const state = dataState(target);
  const lastOkAt = target?.lastOkAt ?? null;
  const age = useAge(lastOkAt);
  if (state === 'fresh') return null;
  const muted = uiColor('muted');
  if (state === 'not_configured') {
    const why = target?.origin === 'disabled' ? 'disabled in the config' : `not configured${hint ? ` — ${hint}` : ''}`;
    return (
      <Text wrap="truncate" {...(muted ? { color: muted } : {})}>
        {`– ${name} ${why}`}
      </Text>
    );
  }
  if (state === 'waiting') return <Text wrap="truncate">{'… waiting for the first reading'}</Text>;
  const err = target?.latest?.error;
  const color = levelColor('CRITICAL');
  const kind =
    err?.kind === 'timeout'
      ? 'no answer'
      : err?.kind === 'auth'
        ? 'login refused'
        : err?.kind === 'protocol'
          ? 'bad answer'
          : 'unreachable';
  const since = lastOkAt === null ? 'no data yet' : `last good ${age}`;
  return (
    <Text wrap="truncate" {...(color ? { color } : {})}>
      {`✗ ${kind} · ${since} · ${err?.message ?? ''}`}
    </Text>
  );
}
