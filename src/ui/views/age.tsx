// "3m ago" that keeps counting without re-rendering its parent.
import { Text } from 'ink';
import { useCallback } from 'react';
import { useTimeText } from '../clock.js';
import { ago } from '../../present/format.js';

/** The age of `at` as text, re-rendered only when the text changes. */
export function useAge(at: number | null, prefix = ''): string {
  const format = useCallback((now: number) => (at === null ? '' : `${prefix}${ago(at, now)}`), [at, prefix]);
  return useTimeText(format);
}

/** Renders the age of `at` ("3m ago"). */
export function Age({ at, prefix = '' }: { at: number | null; prefix?: string }) {
  return <Text>{useAge(at, prefix)}</Text>;
}
