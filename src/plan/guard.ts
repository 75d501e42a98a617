// Read-only mode and arming, enforced by the action layer itself (not only by hiding keys): a
// read-only console refuses every state-changing plan. Arming lifts that for a bounded number of
// minutes with a reason on record, then lapses by itself — an operator who forgets to disarm at
// 3 a.m. must not leave a console that can stop production for the rest of the night.
import type { AuditSink } from './audit.js';
import { ActionError } from './errors.js';
import { changesState, type Plan } from './plan.js';

export interface Clock {
  now(): number;
}

export type GuardState =
  | { mode: 'read-write' }
  | { mode: 'read-only' }
  | { mode: 'armed'; until: number; reason: string; remainingMs: number };

export type Verdict = { ok: true } | { ok: false; reason: string };

/** What runs a plan asks before it starts: ActionGuard, the one implementation. */
export interface PlanGuard {
  check(plan: Pick<Plan, 'changesState'>): Verdict;
}

export interface GuardOptions {
  readOnly: boolean;
  audit: AuditSink;
  clock?: Clock;
  /** Longest arming allowed, in minutes (default 120). */
  maxArmMinutes?: number;
  /** Fire the lapse by a timer (default true). Tests with a fake clock read state() instead. */
  timer?: boolean;
}

type Listener = (state: GuardState) => void;

/** Decides whether a plan may run, and owns arming. */
export class ActionGuard {
  private readonly readOnly: boolean;
  private readonly audit: AuditSink;
  private readonly clock: Clock;
  private readonly maxArmMs: number;
  private readonly useTimer: boolean;
  private armed: { until: number; reason: string } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(opts: GuardOptions) {
    this.readOnly = opts.readOnly;
    this.audit = opts.audit;
    this.clock = opts.clock ?? { now: Date.now };
    this.maxArmMs = (opts.maxArmMinutes ?? 120) * 60_000;
    this.useTimer = opts.timer ?? true;
  }

  /** The current mode; noticing a lapsed arming here records the disarm. */
  state(): GuardState {
    this.lapseIfDue();
    if (!this.readOnly) return { mode: 'read-write' };
    if (!this.armed) return { mode: 'read-only' };
    return {
      mode: 'armed',
      until: this.armed.until,
      reason: this.armed.reason,
      remainingMs: this.armed.until - this.clock.now(),
    };
  }

  /** Whether `plan` may run now (read-only plans always may). */
  check(plan: Pick<Plan, 'changesState'>): Verdict {
    if (!changesState(plan)) return { ok: true };
    const s = this.state();
    if (s.mode === 'read-only') {
      return {
        ok: false,
        reason:
          'read-only mode: actions are disabled (arm the console for a few minutes, with a reason, to enable them)',
      };
    }
    return { ok: true };
  }

  /** Enables actions for `minutes` with a reason for the audit trail. Throws ActionError('refused') on bad input. */
  async arm(minutes: number, reason: string): Promise<GuardState> {
    if (!this.readOnly)
      throw new ActionError('refused', 'actions are already enabled (the console is not in read-only mode)');
    const why = reason.trim();
    if (why.length < 3)
      throw new ActionError('refused', 'arming needs a reason (e.g. "INC-1234 restart stuck worker")');
    const ms = minutes * 60_000;
    if (!Number.isFinite(ms) || ms <= 0 || ms > this.maxArmMs) {
      throw new ActionError('refused', `arming lasts between 1 and ${this.maxArmMs / 60_000} minutes, got ${minutes}`);
    }
    const until = this.clock.now() + ms;
    this.armed = { until, reason: why };
    this.schedule();
    await this.audit.record({
      event: 'armed',
      action: 'console.arm',
      target: 'actions',
      reason: why,
      until: new Date(until).toISOString(),
    });
    this.emit();
    return this.state();
  }

  /** Returns to read-only now (no-op when not armed). */
  async disarm(reason = 'disarmed by the operator'): Promise<void> {
    if (!this.armed) return;
    this.armed = null;
    this.clearTimer();
    await this.audit.record({ event: 'disarmed', action: 'console.disarm', target: 'actions', reason });
    this.emit();
  }

  /** Called with the new state whenever arming starts or ends. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the lapse timer (the console is closing). */
  dispose(): void {
    this.clearTimer();
    this.listeners.clear();
  }

  private lapseIfDue(): void {
    if (!this.armed || this.clock.now() < this.armed.until) return;
    this.armed = null;
    this.clearTimer();
    // Fire and forget on purpose: state() is synchronous; a failed write must not re-arm.
    this.audit
      .record({ event: 'disarmed', action: 'console.disarm', target: 'actions', reason: 'arming expired' })
      .catch(() => undefined);
    this.emit();
  }

  private schedule(): void {
    this.clearTimer();
    if (!this.useTimer || !this.armed) return;
    const wait = Math.max(0, this.armed.until - this.clock.now());
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.lapseIfDue();
        if (this.armed) this.schedule(); // the clock is not the timer's: check again later
      },
      Math.min(wait + 50, 2 ** 31 - 1),
    );
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private emit(): void {
    const s = this.state();
    for (const l of this.listeners) l(s);
  }
}
