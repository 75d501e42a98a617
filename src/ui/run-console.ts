// The console's entry point (loaded lazily by the CLI). React picks its development or
// production build when it is first evaluated, so NODE_ENV is fixed here, before the module that
// imports ink and React is loaded: the console must not run React's development build (several
// times the CPU and memory) because a shell exports NODE_ENV=development, or nothing at all.
import type { OpsdeckConfig } from '../config/resolve.js';
import type { ConsoleIo, ConsoleOptions } from './console-session.js';

export type { ConsoleIo, ConsoleOptions } from './console-session.js';

/** Runs the console until the operator quits (or a signal or crash ends it); resolves to the exit code. */
export async function runConsole(config: OpsdeckConfig, io?: ConsoleIo, opts?: ConsoleOptions): Promise<number> {
  // (Object.assign, not an assignment: a build that defines NODE_ENV as a constant warns on those.)
  Object.assign(process.env, { NODE_ENV: 'production' });
  const { runSession } = await import('./console-session.js');
  return runSession(config, io, opts);
}
