// The one task flow's reducer without rendering: every named action, in the order a task lives
// (plan shown → question or typed name → running with progress → summary), plus cancel, put
// away and close, and the keyboard mode each state needs.
import { describe, expect, it } from 'vitest';
import {
  flowMode,
  flowReducer,
  flowRunning,
  type FlowAction,
  type FlowDetail,
  type FlowState,
} from '../../src/app/console/flow-state.js';

const planDetail: FlowDetail = {
  kind: 'plan',
  action: '',
  target: '',
  danger: null,
  lines: [],
  blast: null,
  run: null,
};
const run = (s: FlowState | null, ...actions: FlowAction[]): FlowState | null => actions.reduce(flowReducer, s);
const open = (over: Partial<Extract<FlowAction, { type: 'open' }>> = {}): FlowState =>
  flowReducer(null, {
    type: 'open',
    id: 1,
    title: 'Stop container',
    detail: planDetail,
    background: 'flash',
    ...over,
  })!;

describe('the task flow reducer', () => {
  it('walks a plan from preparing to the summary, with the mode each state needs', () => {
    let s = open();
    expect(s).toMatchObject({ phase: 'preparing', question: null, hidden: false });
    expect(flowMode(s)).toBe('question'); // n/Esc close a plan still being built
    s = run(s, {
      type: 'planShown',
      id: 1,
      action: 'container.stop',
      target: 'web',
      danger: 'confirm',
      lines: ['Plan', '  1. stop'],
      blast: null,
    })!;
    expect(s.phase).toBe('shown');
    expect(s.detail).toMatchObject({
      action: 'container.stop',
      target: 'web',
      lines: ['Plan', '  1. stop'],
      blast: null,
    });
    s = run(
      s,
      { type: 'blast', id: 1, lines: ['2 dependents'] },
      { type: 'ask', id: 1, question: { kind: 'yes', question: 'Run container.stop on web? [y/N]' } },
    )!;
    expect(s.detail).toMatchObject({ blast: ['2 dependents'] });
    expect(flowMode(s)).toBe('question');
    s = run(s, { type: 'answered' }, { type: 'started', id: 1 })!;
    expect(s).toMatchObject({ phase: 'running', question: null });
    expect(flowMode(s)).toBe('task');
    expect(flowRunning(s)).toBe(true);
    s = run(s, {
      type: 'progress',
      id: 1,
      detail: (d) =>
        d.kind === 'plan'
          ? { ...d, run: { action: 'container.stop', target: 'web', startedAt: 0, warnings: [], steps: [] } }
          : d,
    })!;
    expect(s.detail).toMatchObject({ run: { action: 'container.stop' } });
    s = run(s, { type: 'finished', id: 1 })!;
    expect(s.phase).toBe('summary');
    expect(flowRunning(s)).toBe(false);
    expect(flowMode(s)).toBe('task');
    expect(run(s, { type: 'closed' })).toBeNull();
  });

  it('takes a typed name: typing, erasing, a refused name said in words, a new question starting empty', () => {
    let s = run(open(), {
      type: 'ask',
      id: 1,
      question: { kind: 'type', question: 'Type "itsm"', expect: 'itsm', stage: 'drop' },
    })!;
    expect(flowMode(s)).toBe('typing');
    s = run(s, { type: 'typed', text: 'itsx' }, { type: 'erased' }, { type: 'typed', text: 'y' })!;
    expect(s.typed).toBe('itsy');
    s = run(s, { type: 'answerRefused', reason: '"itsy" is not the name' })!;
    expect(s.refusal).toBe('"itsy" is not the name');
    s = run(s, { type: 'typed', text: '!' })!;
    expect(s.refusal).toBeNull(); // typing again clears the reason
    expect(
      run(s, { type: 'ask', id: 1, question: { kind: 'type', question: 'again', expect: 'itsm', stage: 'drop' } })!
        .typed,
    ).toBe('itsy!');
    expect(
      run(s, { type: 'ask', id: 1, question: { kind: 'yes', question: 'Roll back?', stage: 'rollback' } })!.typed,
    ).toBe('');
    // Text outside a typed question is not taken.
    expect(run(open(), { type: 'typed', text: 'x' })!.typed).toBe('');
    expect(run(s, { type: 'typed', text: 'x'.repeat(500) })!.typed.length).toBe(200);
  });

  it('cancels, puts away, shows again, notes, scrolls within bounds and ends with an error', () => {
    let s = open({ detail: { kind: 'drill', file: '/b/x.sql.gz', snap: null }, background: 'keep', phase: 'running' });
    expect(flowMode(s)).toBe('task');
    s = run(s, { type: 'cancelRequested', note: 'Cancelling at the next safe point…' })!;
    expect(s).toMatchObject({ cancelling: true, note: 'Cancelling at the next safe point…' });
    s = run(s, { type: 'hidden' })!;
    expect(flowMode(s)).toBeNull(); // put away: the view has the keyboard
    s = run(s, { type: 'shown' }, { type: 'scrolled', delta: 5, max: 3 })!;
    expect(s.scroll).toBe(3);
    expect(run(s, { type: 'scrolled', delta: -10, max: 3 })!.scroll).toBe(0);
    s = run(s, { type: 'background', id: 1, background: 'stay' }, { type: 'noted', note: 'x cancels it' })!;
    expect(s).toMatchObject({ background: 'stay', note: 'x cancels it' });
    s = run(s, { type: 'finished', id: 1, error: 'no PostgreSQL target is configured' })!;
    expect(s).toMatchObject({
      phase: 'summary',
      error: 'no PostgreSQL target is configured',
      cancelling: false,
      note: null,
    });
    // A finished task cannot be cancelled any more.
    expect(run(s, { type: 'cancelRequested', note: 'again' })!.cancelling).toBe(false);
  });

  it('drops actions meant for an older task, and an ask shows a task that was put away', () => {
    const s = open({ id: 7 });
    expect(run(s, { type: 'started', id: 6 })).toBe(s);
    expect(run(s, { type: 'finished', id: 6 })).toBe(s);
    expect(run(null, { type: 'started', id: 7 })).toBeNull();
    const hidden = run(s, { type: 'hidden' })!;
    expect(run(hidden, { type: 'ask', id: 7, question: { kind: 'yes', question: 'Go?' } })!.hidden).toBe(false);
    // A plan's own actions leave other kinds alone.
    const drill = open({ detail: { kind: 'drill', file: 'f', snap: null } });
    expect(
      run(drill, { type: 'planShown', id: 1, action: 'a', target: 't', danger: 'safe', lines: [], blast: [] }),
    ).toBe(drill);
  });
});
