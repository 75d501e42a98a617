// The handlers of the commands that act: container and service actions (plans in the task
// flow), the Backups view's tasks, the Logs view's commands and arming. Each takes the target
// the view lends for the selected row, and says in words why it cannot act.
import type { CommandId } from '../keymap.js';
import type { CommandContext, Handler } from './command-context.js';

function flash(c: CommandContext, text: string): void {
  c.actions?.flash(text, true);
}

/** container.start/stop/restart: the plan for the selected container, through the flow. */
export function containerAction(verb: 'start' | 'stop' | 'restart'): Handler {
  return (c) => {
    const ctl = c.actions;
    if (!ctl) return;
    const chosen = c.targets.container?.(c.selected);
    if (!chosen) return flash(c, 'no container selected');
    const name = chosen.name;
    ctl.flow.propose(`${verb[0]!.toUpperCase()}${verb.slice(1)} container`, () =>
      ctl.actions.containerPlan(verb, name),
    );
  };
}

/** postgres.cancel/terminate: the plan for the selected session (a query, a tree row or a waiting lock). */
export function pgSessionAction(verb: 'cancel' | 'terminate'): Handler {
  return (c) => {
    const ctl = c.actions;
    if (!ctl) return;
    const chosen = c.targets.pgSession?.(c.selected);
    if (!chosen) return flash(c, 'no session selected (pick a query, a blocking chain row or a waiting lock)');
    const { pid, label } = chosen;
    ctl.flow.propose(verb === 'cancel' ? 'Cancel query' : 'Terminate session', () =>
      ctl.actions.pgSessionPlan(verb, pid, label),
    );
  };
}

/** container.logs: follow the selected container's log in the Logs view. */
export const containerLogs: Handler = (c) => {
  const ctl = c.actions;
  if (!ctl) return;
  const chosen = c.targets.container?.(c.selected);
  if (!chosen) return flash(c, 'no container selected');
  ctl.store.getState().set({ logSource: { name: `container ${chosen.name}`, container: chosen.name } });
  c.goTo('logs');
};

/** service.start/stop/restart/reload: the plan for the selected service. */
export function serviceAction(verb: 'start' | 'stop' | 'restart' | 'reload'): Handler {
  return (c) => {
    const ctl = c.actions;
    if (!ctl) return;
    const chosen = c.targets.service?.(c.selected);
    if (!chosen) return flash(c, 'no service selected (add a services: list to the config)');
    const name = chosen.name;
    ctl.flow.propose(`${verb[0]!.toUpperCase()}${verb.slice(1)} service`, () => ctl.actions.servicePlan(verb, name));
  };
}

/** service.start-all/stop-all: every service in the documented order. */
export function allServices(verb: 'start' | 'stop'): Handler {
  return (c) => {
    const ctl = c.actions;
    if (!ctl) return;
    ctl.flow.propose(verb === 'start' ? 'Start all services' : 'Stop all services', () =>
      ctl.actions.allServicesPlan(verb),
    );
  };
}

type BackupTask = 'verify' | 'drill' | 'restore' | 'restoreFiles';

/** backups.verify/drill/restore/restore-files: a task of the flow for the selected backup. */
export function backupTask(task: BackupTask): Handler {
  return (c) => {
    const ctl = c.backups;
    if (!ctl) return;
    ctl.say(null);
    const entry = c.targets.backup?.(c.selected);
    if (!entry) return ctl.say('no backup selected: the list is empty');
    ctl[task](entry);
  };
}

/** backups.backup/prune: plans of the flow. */
export function backupPlan(which: 'backup' | 'prune'): Handler {
  return (c) => {
    const ctl = c.backups;
    if (!ctl) return;
    ctl.say(null);
    ctl[which]();
  };
}

/** A navigation command the Logs view takes first while it shows (scroll, picker); else the reducer. */
export function logsFirst(id: CommandId): Handler {
  return (c) => {
    const logs = c.targets.logs;
    if (!logs) return c.reduce(id);
    switch (id) {
      case 'up':
        return logs.move(-1);
      case 'down':
        return logs.move(1);
      case 'page.up':
        return logs.move(-1, true);
      case 'page.down':
        return logs.move(1, true);
      case 'top':
        return logs.top();
      case 'bottom':
        return logs.bottom();
      case 'drill':
        if (!logs.choose()) c.reduce(id);
        return;
      case 'back':
        if (!logs.closePicker()) c.reduce(id);
        return;
      default:
        return c.reduce(id);
    }
  };
}
