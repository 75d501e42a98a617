// Renders the console with ink-testing-library against an injected store, a fixed size and a
// stopped clock; waits for content by polling the last frame (never a fixed sleep).
import { render } from 'ink-testing-library';
import type { OpsStore } from '../../src/state/store.js';
import type { ActionController } from '../../src/app/console/action-controller.js';
import { fixedClock } from '../../src/ui/clock.js';
import type { CommandId, Scope, ViewId } from '../../src/ui/keymap.js';
import { ConsoleRoot } from '../../src/ui/root.js';
import { fixedSize } from '../../src/ui/size.js';
import { waitForText } from '../helpers/wait.js';
import { T0 } from './fixtures.js';
import { boundKey, commandKey, keyBytes } from './keys.js';

export interface Harness {
  frame(): string;
  /** Presses raw keys (typed text; a command is pressed by its name with command()). */
  press(...keys: string[]): Promise<void>;
  /** Presses the first key the keymap binds to each command (in its first scope, or `scope`). */
  command(...ids: CommandId[]): Promise<void>;
  /** Presses `id`'s key as bound in `scope` (e.g. 'up' inside the help overlay). */
  commandIn(scope: Scope, id: CommandId): Promise<void>;
  /** Presses one particular key of `id` ('l' of focus.next), after checking the keymap binds it there. */
  key(id: CommandId, key: string, scope?: Scope): Promise<void>;
  waitFor(test: string | RegExp | ((frame: string) => boolean), what?: string): Promise<string>;
  waitUntil(test: () => boolean, what: string): Promise<void>;
  /** Frames Ink has drawn so far (one per React commit). */
  frameCount(): number;
  quits: number;
  redraws: number;
  unmount(): void;
}

/** Renders the whole console at `columns`×`rows` (columns ≤ 100: ink-testing-library's width). */
export function renderConsole(
  store: OpsStore,
  opts: {
    columns?: number;
    rows?: number;
    view?: ViewId;
    now?: number;
    readOnly?: boolean;
    actions?: ActionController | null;
    waitMs?: number;
  } = {},
): Harness {
  const counters = { quits: 0, redraws: 0 };
  const app = render(
    <ConsoleRoot
      store={store}
      size={fixedSize(opts.columns ?? 80, opts.rows ?? 24)}
      clock={fixedClock(opts.now ?? T0)}
      hostname="web-01"
      readOnly={opts.readOnly ?? store.getState().readOnly}
      initialView={opts.view ?? 'overview'}
      actions={opts.actions ?? null}
      onQuit={() => counters.quits++}
      onRedraw={() => counters.redraws++}
    />,
  );
  const frame = () => app.lastFrame() ?? '';
  const waitFor = (test: string | RegExp | ((f: string) => boolean), what = String(test)) =>
    waitForText(frame, test, { what, timeoutMs: opts.waitMs ?? 5000, intervalMs: 5 });
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      app.stdin.write(k);
      // Let Ink's input parser and React settle between keys (ESC needs its own chunk).
      await new Promise((r) => setImmediate(r));
    }
  };
  return {
    frame,
    press,
    command: (...ids: CommandId[]) => press(...ids.map((id) => keyBytes(commandKey(id)))),
    commandIn: (scope: Scope, id: CommandId) => press(keyBytes(commandKey(id, scope))),
    key: (id: CommandId, key: string, scope: Scope = 'global') => press(keyBytes(boundKey(id, key, scope))),
    waitFor,
    frameCount: () => app.frames.length,
    waitUntil: async (test: () => boolean, what: string) => {
      await waitFor(() => test(), what);
    },
    get quits() {
      return counters.quits;
    },
    get redraws() {
      return counters.redraws;
    },
    unmount: () => app.unmount(),
  };
}
