// Saying plainly what state the database is in, from what the steps recorded — the one sentence
// an operator must get right at every exit of a restore. Pure.
import path from 'node:path';
import type { Tracker } from './steps.js';
import type { DbState } from './types.js';

/** The database's state from the tracker: untouched, restored, rolled back, unverified, empty or absent. */
export function dbStateOf(t: Tracker, database: string, backup: string): DbState {
  const dump = t.safetyDump;
  const withDump = (s: Omit<DbState, 'safetyDump'>): DbState => (dump ? { ...s, safetyDump: dump } : s);
  const saved = dump
    ? ` The safety dump of the data it held is ${dump}.`
    : ' No safety dump was taken (the database did not exist).';
  if (!t.dropped) {
    const taken = dump ? ` (A safety dump was taken: ${dump}.)` : '';
    return withDump({
      kind: 'untouched',
      text: `UNTOUCHED: ${database} was not dropped; its data is exactly as before.${taken}`,
    });
  }
  if (!t.created)
    return withDump({ kind: 'absent', text: `ABSENT: ${database} was dropped and not recreated.${saved}` });
  if (!t.loaded)
    return withDump({
      kind: 'empty',
      text:
        `EMPTY: ${database} was recreated but holds no data ` +
        `(the load failed and was rolled back as one transaction).${saved}`,
    });
  const from = t.loadedFrom ?? backup;
  const fromDump = dump !== undefined && from === dump;
  if (!t.verified) {
    const why =
      t.comparison && !t.comparison.ok ? ` Verification failed: ${t.comparison.message}.` : ' It was not verified.';
    const source = fromDump ? 'the safety dump' : path.basename(from);
    return withDump({
      kind: 'unverified',
      text: `UNVERIFIED: ${database} holds the data of ${source}, not proven complete.${why}${saved}`,
    });
  }
  if (fromDump)
    return withDump({
      kind: 'rolled-back',
      text: `ROLLED BACK: ${database} is back to the safety dump ${dump} and verified.`,
    });
  const before = dump ? ` The data it held before is in the safety dump ${dump}.` : '';
  return withDump({
    kind: 'restored',
    text: `RESTORED: ${database} is restored from ${backup} and verified.${before}`,
  });
}
