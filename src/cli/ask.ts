// Asking the operator one question on the terminal (prune's yes, restore's typed database name).
// Ctrl-C, Ctrl-D and the end of input all answer "" — a "no" to every question we ask — and the
// question never waits forever: in raw mode readline turns Ctrl-C into its own 'SIGINT' event
// (no process signal arrives), and depending on the Node release it then closes the interface,
// rejects the pending question or leaves it pending. We catch every one of those paths.
import type { Interface } from 'node:readline/promises';

/** Asks a question; resolves to the answer as typed. */
export type Ask = (question: string) => Promise<string>;

export interface AskStreams {
  /** Default: process.stdin. */
  input?: NodeJS.ReadableStream;
  /** Where the question is written. Default: process.stderr (stdout may be piped into a file). */
  output?: NodeJS.WritableStream;
  /** Treat the streams as a terminal (raw keys, Ctrl-C). Default: readline's own guess from output.isTTY. */
  terminal?: boolean;
}

/** Asks `question` and resolves to the answer; to "" on Ctrl-C, Ctrl-D or end of input. Never rejects. */
export async function askOnTerminal(question: string, streams: AskStreams = {}): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const output = streams.output ?? process.stderr;
  const rl: Interface = createInterface({
    input: streams.input ?? process.stdin,
    output,
    ...(streams.terminal !== undefined ? { terminal: streams.terminal } : {}),
  });
  let answered = false;
  try {
    return await new Promise<string>((resolve) => {
      const no = (): void => {
        if (answered) return;
        answered = true;
        // The cursor is still on the question line: end it, so what follows starts on its own line.
        output.write('\n');
        resolve('');
      };
      // Listening to 'SIGINT' stops readline from closing the interface on Ctrl-C.
      rl.once('SIGINT', no);
      rl.once('close', no);
      try {
        rl.question(question).then((answer) => {
          answered = true;
          resolve(answer);
        }, no);
      } catch {
        no(); // the input was already closed
      }
    });
  } finally {
    rl.close();
  }
}

/**
 * The ask a command uses: the one it was given, else the terminal when stdin is one, else none (then
 * it must not ask).
 */
export function terminalAsk(given: Ask | undefined, stdin: { isTTY?: boolean } = process.stdin): Ask | undefined {
  return given ?? (stdin.isTTY ? (q) => askOnTerminal(q) : undefined);
}
