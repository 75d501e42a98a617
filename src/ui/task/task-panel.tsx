// The one task panel: whatever the flow runs — a container or service action, backup, prune,
// re-verify, drill, the restore walkthrough — drawn from the flow's state in place of the view.
// Only this component ticks with the second clock (a running task shows its elapsed time); a
// finished panel is still.
import { useCallback } from 'react';
import { useStore } from 'zustand';
import { flowRunning } from '../../app/console/flow-state.js';
import type { TaskFlow } from '../../app/console/task-flow.js';
import { useTimeText } from '../clock.js';
import { useViewTargetBus } from '../commands/view-targets.js';
import { flowContent } from './flow-content.js';
import { maxScroll, Panel } from './panel.js';

/** Draws the open task of `flow` in `width`×`height` (nothing when none is open). */
export function TaskPanel({ flow, width, height }: { flow: TaskFlow; width: number; height: number }) {
  const state = useStore(flow.store, (s) => s.flow);
  const running = flowRunning(state);
  const format = useCallback((now: number) => (running ? String(Math.floor(now / 1000) * 1000) : '0'), [running]);
  const tick = Number(useTimeText(format));
  const bus = useViewTargetBus();
  if (!state) return null;
  const content = flowContent(state, width, running ? tick : Date.now());
  // The scroll keys stop at the last line (the handlers read this).
  if (bus) bus.panelScrollMax = maxScroll(content, height);
  return <Panel content={content} width={width} height={height} scroll={state.scroll} />;
}
