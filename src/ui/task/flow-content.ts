// The task panel's content for the flow's current state, whatever the task: a plan (container,
// service, backup, prune), a re-verify, a drill or the restore walkthrough. Pure.
import type { FlowState } from '../../app/console/flow-state.js';
import { drillContent, verifyContent } from './job-content.js';
import type { PanelContent } from './panel.js';
import { planContent } from './plan-content.js';
import { walkthroughContent } from './walkthrough-content.js';

/** The panel content of the flow at `now` (a running restore shows its elapsed time). */
export function flowContent(f: FlowState, width: number, now: number): PanelContent {
  const d = f.detail;
  switch (d.kind) {
    case 'plan':
      return planContent(f, d);
    case 'verify':
      return verifyContent(f, d, width);
    case 'drill':
      return drillContent(f, d, width);
    case 'restore':
      return walkthroughContent(f, d, width, now);
  }
}
