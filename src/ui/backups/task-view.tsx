// The open task panel of the Backups view: picks the content for the task's kind (re-verify,
// drill, restore walkthrough) and draws it. Only this component ticks with the
// second clock (a running restore shows its elapsed time); the table above it does not.
import { useCallback, type MutableRefObject } from 'react';
import { useTimeText } from '../clock.js';
import { walkthroughContent } from '../restore/walkthrough-content.js';
import { taskRunning, type Task } from './backups-store.js';
import { maxScroll, Panel, type PanelContent } from './panel.js';
import { drillContent, verifyContent } from './task-content.js';

/** The panel content of a task at `now`. Pure. */
export function taskContent(task: Task, width: number, now: number): PanelContent {
  switch (task.kind) {
    case 'verify':
      return verifyContent(task, width);
    case 'drill':
      return drillContent(task, width);
    case 'restore':
      return walkthroughContent(task, width, now);
  }
}

/** Draws `task` in `width`×`height`; tells `scrollMax` how far it can scroll. */
export function TaskView({ task, width, height, scrollMax }: { task: Task; width: number; height: number; scrollMax: MutableRefObject<number> }) {
  const running = taskRunning(task);
  // Ticks once a second only while something runs (the elapsed time); a finished panel is still.
  const format = useCallback((now: number) => (running ? String(Math.floor(now / 1000) * 1000) : '0'), [running]);
  const tick = Number(useTimeText(format));
  const content = taskContent(task, width, running ? tick : Date.now());
  scrollMax.current = maxScroll(content, height);
  return <Panel content={content} width={width} height={height} scroll={task.scroll} />;
}
