// The one terminal question of the CLI (src/cli/ask.ts, used by prune and restore): an answer is
// returned as typed; Ctrl-C, Ctrl-D and the end of input are a "no" (""), never a hang or a throw.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askOnTerminal, terminalAsk } from '../../src/cli/ask.js';
import { waitFor, waitForText } from '../helpers/wait.js';

function streams(terminal: boolean): {
  input: PassThrough;
  output: PassThrough;
  shown: () => string;
  terminal: boolean;
} {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (b: Buffer) => (text += b.toString()));
  return { input, output, shown: () => text, terminal };
}

/** Resolves with what askOnTerminal resolved to, or 'TIMEOUT' / 'REJECTED: …'. */
async function answer(io: ReturnType<typeof streams>, type: (input: PassThrough) => void): Promise<string> {
  let settled: string | undefined;
  void askOnTerminal('Run backup.prune on /b? [y/N] ', io).then(
    (a) => (settled = a),
    (err: Error) => (settled = `REJECTED: ${err.message}`),
  );
  // Type once the question is on screen, never after a guessed delay.
  await waitForText(io.shown, '[y/N] ', { timeoutMs: 2000 });
  type(io.input);
  return waitFor(() => settled !== undefined, { timeoutMs: 2000, what: 'the question to settle' }).then(
    () => settled!,
    () => 'TIMEOUT',
  );
}

describe('askOnTerminal', () => {
  it('returns the answer as typed', async () => {
    const io = streams(true);
    expect(await answer(io, (i) => i.write('yes\r'))).toBe('yes');
    expect(io.shown()).toContain('Run backup.prune on /b? [y/N] ');
  });

  it('Ctrl-C at the question is a "no": resolves to "" and ends the question line', async () => {
    const io = streams(true);
    expect(await answer(io, (i) => i.write('ye\x03'))).toBe('');
    expect(io.shown().endsWith('\n')).toBe(true);
  });

  it('Ctrl-D at the question is a "no"', async () => {
    const io = streams(true);
    expect(await answer(io, (i) => i.write('\x04'))).toBe('');
  });

  it('the end of input (a closed pipe) is a "no"', async () => {
    const io = streams(false);
    expect(await answer(io, (i) => i.end())).toBe('');
  });

  it('asks only on a terminal unless an ask was given', () => {
    const given = async (): Promise<string> => 'y';
    expect(terminalAsk(given, { isTTY: false })).toBe(given);
    expect(terminalAsk(undefined, { isTTY: false })).toBeUndefined();
    expect(terminalAsk(undefined, { isTTY: true })).toBeTypeOf('function');
  });
});
