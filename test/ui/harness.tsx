// Renders the console with ink-testing-library against an injected store, a fixed size and a
// stopped clock; waits for content by polling the last frame (never a fixed sleep).
import { render } from 'ink-testing-library';
import type { OpsStore } from '../../src/state/store.js';
import type { ActionController } from '../../src/app/console/action-controller.js';
import { fixedClock } from '../../src/ui/clock.js';
import type { ViewId } from '../../src/ui/keymap.js';
import { ConsoleRoot } from '../../src/ui/root.js';
import { fixedSize } from '../../src/ui/size.js';
import { waitForText } from '../helpers/wait.js';
import { T0 } from './fixtures.js';

export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  tab: '\t',
  shiftTab: '\x1b[Z',
  enter: '\r',
  esc: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
  ctrlL: '\x0c',
} as const;

export interface Harness {
  frame(): string;
  press(...keys: string[]): Promise<void>;
  waitFor(test: string | RegExp | ((frame: string) => boolean), what?: string): Promise<string>;
  waitUntil(test: () => boolean, what: string): Promise<void>;
  /** Frames Ink has drawn so far (one per React commit). */
  frameCount(): number;
  quits: number;
  redraws: number;
  unmount(): void;
}

/** Renders the whole console at `columns`×`rows` (columns ≤ 100: ink-testing-library's width). */
export function renderConsole(store: OpsStore, opts: { columns?: number; rows?: number; view?: ViewId; now?: number; readOnly?: boolean; actions?: ActionController | null; waitMs?: number } = {}): Harness {
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
  const waitFor = (test: string | RegExp | ((f: string) => boolean), what = String(test)) => waitForText(frame, test, { what, timeoutMs: opts.waitMs ?? 5000, intervalMs: 5 });
  return {
    frame,
    press: async (...keys: string[]) => {
      for (const k of keys) {
        app.stdin.write(k);
        // Let Ink's input parser and React settle between keys (ESC needs its own chunk).
        await new Promise((r) => setImmediate(r));
      }
    },
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
