// The full-screen lifecycle: alternate screen, hidden cursor, and one idempotent restore that
// runs on every way out (quit, signal, crash, process exit), even after the terminal is gone.
export const ENTER_ALT_SCREEN = '\x1b[?1049h';
export const LEAVE_ALT_SCREEN = '\x1b[?1049l';
export const HIDE_CURSOR = '\x1b[?25l';
export const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_HOME = '\x1b[H\x1b[2J';
// Reset colours, and turn off modes a crashed child or a stray escape could have left on:
// mouse reporting, bracketed paste, focus events, the kitty keyboard protocol.
const RESET_MODES = '\x1b[0m\x1b[?1000l\x1b[?1002l\x1b[?1006l\x1b[?2004l\x1b[?1004l\x1b[<u';

export interface Screen {
  /** Clears the alternate screen (after a resize, so no stale cells remain). */
  clear(): void;
  /** Leaves the alternate screen, shows the cursor, leaves raw mode; safe to call twice. */
  restore(): void;
  readonly restored: boolean;
}

function safeWrite(out: NodeJS.WriteStream, text: string): void {
  try {
    if (!out.destroyed && out.writable) out.write(text);
  } catch {
    // The terminal is gone (SSH drop): nothing left to restore.
  }
}

/** Switches `out` to the alternate screen with the cursor hidden; restore() puts it back. */
export function enterFullscreen(out: NodeJS.WriteStream, input: NodeJS.ReadStream = process.stdin): Screen {
  let restored = false;
  safeWrite(out, ENTER_ALT_SCREEN + CLEAR_HOME + HIDE_CURSOR);
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    try {
      if (input.isTTY && input.isRaw) input.setRawMode(false);
    } catch {
      // stdin already closed.
    }
    safeWrite(out, RESET_MODES + SHOW_CURSOR + LEAVE_ALT_SCREEN);
  };
  // Last resort: whatever ends the process, the terminal comes back.
  process.on('exit', restore);
  return {
    clear: () => {
      if (!restored) safeWrite(out, CLEAR_HOME);
    },
    restore,
    get restored() {
      return restored;
    },
  };
}
