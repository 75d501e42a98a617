// Arming from the console: `A` asks for minutes and a reason and arms the guard (both go to the
// audit trail through the guard), or disarms when armed. The store's guard mode follows the
// guard: on its events, and by asking it every second while armed, so a lapse is seen even when
// the guard's clock is not the wall clock (tests) — dangerous commands then disappear by themselves.
import { errorText } from '../../plan/errors.js';
import type { ActionGuard, GuardState } from '../../plan/guard.js';
import type { ActionStore, GuardMode } from '../../state/action-state.js';
import type { PromptFlow } from './prompt-flow.js';

const DEFAULT_MINUTES = 15;

/** The guard's state without the moving remainder (the header computes it from the clock). */
export function guardMode(s: GuardState): GuardMode {
  return s.mode === 'armed' ? { mode: 'armed', until: s.until, reason: s.reason } : { mode: s.mode };
}

/** Parses the minutes answer: empty means the default; whole or decimal minutes within the guard's limit. */
export function parseMinutes(text: string, max = 120): number | string {
  const t = text.trim();
  if (t === '') return DEFAULT_MINUTES;
  const n = Number(t.replace(/m(in(utes?)?)?$/i, ''));
  if (!Number.isFinite(n) || n <= 0) return `"${t}" is not a number of minutes`;
  if (n > max) return `at most ${max} minutes`;
  return n;
}

/** Keeps the store's guard mode in step with the guard, and runs the arm/disarm dialog. */
export class Arming {
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly guard: ActionGuard,
    private readonly store: ActionStore,
    private readonly prompts: PromptFlow,
    private readonly opts: { pollMs?: number; now?: () => number } = {},
  ) {
    this.unsubscribe = guard.subscribe((s) => this.sync(s));
    this.sync(guard.state());
  }

  /** `A`: arm (read-only), disarm (armed), or say why neither applies. */
  toggle(): void {
    const s = this.guard.state();
    if (s.mode === 'read-write') {
      this.flash('actions are already enabled: the console is not read-only', false);
      return;
    }
    if (s.mode === 'armed') {
      this.guard.disarm('disarmed by the operator').then(
        () => this.flash('disarmed: read-only again', false),
        (err: unknown) => this.flash(`disarmed, but the audit trail could not be written: ${errorText(err)}`, true),
      );
      return;
    }
    this.prompts.open({
      id: 'arm.minutes',
      title: 'Arm actions',
      label: `Minutes until read-only again [${DEFAULT_MINUTES}]: `,
      note: 'Arming enables state-changing actions for a limited time; it is recorded in the audit trail.',
      accept: (text) => {
        const minutes = parseMinutes(text);
        if (typeof minutes === 'string') return minutes;
        this.askReason(minutes);
        return null;
      },
    });
  }

  /** Stops following the guard (the console is closing). */
  dispose(): void {
    this.unsubscribe();
    this.stopPolling();
  }

  private askReason(minutes: number): void {
    this.prompts.open({
      id: 'arm.reason',
      title: `Arm actions for ${minutes} min`,
      label: 'Reason (ticket, what you will do): ',
      note: 'The reason goes into the audit trail with your user name.',
      accept: async (text) => {
        try {
          await this.guard.arm(minutes, text);
        } catch (err) {
          return errorText(err);
        }
        this.flash(`armed for ${minutes} min: ${text.trim()}`, false);
        return null;
      },
    });
  }

  private sync(s: GuardState): void {
    const next = guardMode(s);
    const prev = this.store.getState().guard;
    if (prev.mode !== next.mode || (prev.mode === 'armed' && next.mode === 'armed' && prev.until !== next.until)) {
      this.store.getState().set({ guard: next });
      this.store.getState().bumpAudit();
      if (
        prev.mode === 'armed' &&
        next.mode === 'read-only' &&
        this.store.getState().flash?.text !== 'disarmed: read-only again'
      ) {
        this.flash('arming lapsed: read-only again', false);
      }
    }
    if (next.mode === 'armed') this.startPolling();
    else this.stopPolling();
  }

  private startPolling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sync(this.guard.state()), this.opts.pollMs ?? 1000);
    this.timer.unref();
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private flash(text: string, error: boolean): void {
    this.store.getState().set({ flash: { text, error, at: (this.opts.now ?? Date.now)() } });
  }
}
