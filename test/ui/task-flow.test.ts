// The task flow's controller without rendering: plans run through the one guard and audit trail
// (a yes, a typed name, a decline audited as refused), jobs ask questions and are cancelled,
// Esc while running does what the task's kind says, and one task runs at a time.
import { describe, expect, it } from 'vitest';
import type { FlowTask } from '../../src/app/console/flow-task.js';
import { TaskFlow } from '../../src/app/console/task-flow.js';
import { ActionGuard } from '../../src/plan/guard.js';
import type { Plan } from '../../src/plan/plan.js';
import { sleep } from '../../src/plan/sleep.js';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { waitFor } from '../helpers/wait.js';

function setup(readOnly = false) {
  const audit = new MemoryAudit();
  const guard = new ActionGuard({ readOnly, audit, timer: false });
  const flashes: string[] = [];
  const finished: string[] = [];
  const flow = new TaskFlow({
    guard,
    audit,
    flash: (t) => void (t && flashes.push(t)),
    onFinished: (f) => void finished.push(f.detail.kind),
  });
  return { audit, guard, flow, flashes, finished, events: () => audit.entries.map((e) => `${e.event} ${e.action}`) };
}

function plan(danger: Plan['danger'], ran: string[], wait?: number): Plan {
  return {
    action: 'db.drop',
    target: 'itsm',
    danger,
    changesState: true,
    steps: [
      {
        id: 'go',
        title: 'go',
        cancellable: true,
        describe: () => ({ kind: 'sql', text: '-- go' }),
        run: async (ctx) => void (wait ? await sleep(wait, ctx.signal) : ran.push('go')),
      },
    ],
  };
}

describe('the task flow controller', () => {
  it('runs a plan after a yes, through the guard and the audit trail, and leaves the summary up', async () => {
    const t = setup();
    const ran: string[] = [];
    t.flow.propose('Drop', async () => plan('confirm', ran));
    await waitFor(() => t.flow.mode() === 'question' && t.flow.state?.question, { what: 'the question' });
    expect(t.flow.state?.phase).toBe('shown');
    t.flow.yes();
    await waitFor(() => t.flow.state?.phase === 'summary', { what: 'the summary' });
    expect(ran).toEqual(['go']);
    expect(t.events()).toEqual(['confirmed db.drop', 'succeeded db.drop']);
    expect(t.finished).toEqual(['plan']);
    t.flow.close();
    expect(t.flow.state).toBeNull();
  });

  it('refuses a wrong typed name in words, runs on the right one', async () => {
    const t = setup();
    const ran: string[] = [];
    t.flow.propose('Drop', async () => plan('destructive', ran));
    await waitFor(() => t.flow.mode() === 'typing', { what: 'the typed question' });
    t.flow.yes(); // a yes is not a name
    t.flow.type('its');
    t.flow.submit();
    expect(t.flow.state?.refusal).toBe('"its" is not the name: type "itsm" exactly');
    t.flow.type('m');
    t.flow.submit();
    await waitFor(() => t.flow.state?.phase === 'summary', { what: 'the run' });
    expect(ran).toEqual(['go']);
  });

  it('audits a decline as refused, closes and says it was not run', async () => {
    const t = setup();
    t.flow.propose('Drop', async () => plan('confirm', []));
    await waitFor(() => t.flow.state?.question, { what: 'the question' });
    t.flow.no();
    await waitFor(() => t.audit.entries.length === 1, { what: 'the refusal' });
    expect(t.audit.entries[0]).toMatchObject({
      event: 'refused',
      action: 'db.drop',
      reason: 'declined by the operator',
    });
    expect(t.flow.state).toBeNull();
    expect(t.flashes).toContain('db.drop itsm: not run (declined by the operator)');
    expect(t.finished).toEqual([]);
  });

  it('refuses in read-only mode through the guard, and says why a plan could not be built', async () => {
    const t = setup(true);
    t.flow.propose('Drop', async () => plan('safe', []));
    await waitFor(() => t.flow.state?.phase === 'summary', { what: 'the refusal' });
    expect(t.flow.state?.detail).toMatchObject({ run: { result: 'refused' } });
    t.flow.close();
    t.flow.propose('Broken', async () => Promise.reject(new Error('Docker is not configured')));
    await waitFor(() => t.flow.state?.error, { what: 'the error' });
    expect(t.flow.state).toMatchObject({
      phase: 'summary',
      error: 'could not prepare the action: Docker is not configured',
    });
  });

  it('cancels a running plan; Esc puts it away and its result is flashed when it ends', async () => {
    const t = setup();
    t.flow.propose('Slow', async () => plan('safe', [], 30_000));
    await waitFor(() => t.flow.state?.phase === 'running', { what: 'running' });
    t.flow.close();
    expect(t.flow.state?.hidden).toBe(true);
    expect(t.flashes.at(-1)).toBe('db.drop itsm goes on in the background; its result will show here');
    // Another key of the flow while one runs shows it again instead of starting a second.
    t.flow.propose('Other', async () => plan('safe', []));
    expect(t.flow.state).toMatchObject({ title: 'Slow', hidden: false });
    t.flow.close();
    t.flow.dispose(); // the console closes: the run is cancelled at its cancellable step
    await waitFor(() => t.flow.state === null, { what: 'closed after the hidden run ended' });
    expect(t.flashes.at(-1)).toMatch(/^db\.drop itsm: cancelled/);
  });

  it('lets a job ask a question, and Esc cancel it or stay as its kind says', async () => {
    const t = setup();
    let answer: string | null | undefined;
    let signal: AbortSignal | undefined;
    const job: FlowTask<'restore'> = {
      title: 'Restore',
      detail: {
        kind: 'restore',
        file: 'f',
        database: 'itsm',
        stage: 'preflight',
        checks: [],
        snap: null,
        startedAt: 0,
      },
      background: 'cancel',
      phase: 'running',
      run: async (h) => {
        signal = h.signal;
        h.dispatch({ type: 'background', background: 'stay' });
        answer = await h.ask({ kind: 'type', question: 'Type "itsm"', expect: 'itsm', stage: 'drop' });
        await new Promise<void>((resolve) => h.signal.addEventListener('abort', () => resolve(), { once: true }));
      },
    };
    t.flow.start(job);
    await waitFor(() => t.flow.mode() === 'typing', { what: 'the question' });
    t.flow.type('itsm');
    t.flow.submit();
    await waitFor(() => answer === 'itsm', { what: 'the answer' });
    t.flow.close(); // past the preflight a restore stays on screen
    expect(t.flow.state?.note).toMatch(/stays on screen/);
    t.flow.cancel();
    expect(signal?.aborted).toBe(true);
    expect(t.flow.state?.cancelling).toBe(true);
    await waitFor(() => t.flow.state?.phase === 'summary', { what: 'the end' });
  });
});

describe('one task at a time', () => {
  it('shows a finished task put away again on its own key, and lets another kind replace it', async () => {
    const t = setup();
    const verify: FlowTask<'verify'> = {
      title: 'Re-verify',
      detail: { kind: 'verify', file: 'f', run: null, report: null },
      background: 'keep',
      phase: 'running',
      run: async () => undefined,
    };
    const drill: FlowTask<'drill'> = {
      title: 'Drill',
      detail: { kind: 'drill', file: 'f', snap: null },
      background: 'keep',
      phase: 'running',
      run: async () => undefined,
    };
    t.flow.start(verify);
    await waitFor(() => t.flow.state?.phase === 'summary', { what: 'the verify to end' });
    t.flow.store.setState({ flow: { ...t.flow.state!, hidden: true } });
    t.flow.start(verify);
    expect(t.flow.state).toMatchObject({ title: 'Re-verify', hidden: false });
    t.flow.store.setState({ flow: { ...t.flow.state!, hidden: true } });
    t.flow.start(drill);
    expect(t.flow.state).toMatchObject({ title: 'Drill', hidden: false, phase: 'running' });
  });
});
