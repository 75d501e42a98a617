// The keymap rows for container and service actions, the Logs view and arming. They are spread
// into the one COMMANDS table in keymap.ts (kept here so that file stays small); the dangerous
// ones are left unbound while the console is read-only and not armed. The plan dialog uses the
// shared modal modes of keymap.ts: `question` (a yes), `typing` (a name) and `task` (progress).
import type { Command } from './keymap.js';

/** Ids of the commands below (part of keymap.ts's CommandId). */
export type ActionCommandId =
  | 'container.start'
  | 'container.stop'
  | 'container.restart'
  | 'container.logs'
  | 'service.start'
  | 'service.stop'
  | 'service.start-all'
  | 'service.stop-all'
  | 'logs.pause'
  | 'logs.filter'
  | 'logs.source'
  | 'arm';

/** Commands for actions and the views built on them. */
export const ACTION_COMMANDS: readonly Command[] = [
  { id: 'container.start', keys: ['U'], description: 'Start the selected container', scope: 'containers', dangerous: true, hint: 'start' },
  { id: 'container.stop', keys: ['X'], description: 'Stop the selected container (asks for a yes)', scope: 'containers', dangerous: true, hint: 'stop' },
  { id: 'container.restart', keys: ['R'], description: 'Restart the selected container (asks for a yes)', scope: 'containers', dangerous: true, hint: 'restart' },
  { id: 'container.logs', keys: ['L'], description: "Follow the selected container's log in the Logs view", scope: 'containers', dangerous: false, hint: 'logs' },
  { id: 'service.start', keys: ['U'], description: 'Start the selected service', scope: 'services', dangerous: true, hint: 'start' },
  { id: 'service.stop', keys: ['X'], description: 'Stop the selected service (asks for a yes)', scope: 'services', dangerous: true, hint: 'stop' },
  { id: 'service.start-all', keys: ['+'], description: 'Start all services in the documented order, then a health check', scope: 'services', dangerous: true, hint: 'all up' },
  { id: 'service.stop-all', keys: ['-'], description: 'Stop all services in reverse order, then a status check', scope: 'services', dangerous: true, hint: 'all down' },
  { id: 'logs.pause', keys: [' '], description: 'Pause or resume following the log', scope: 'logs', dangerous: false, hint: 'pause' },
  { id: 'logs.filter', keys: ['/'], description: 'Filter log lines by substring or /regex/ (matches highlighted)', scope: 'logs', dangerous: false, hint: 'filter' },
  { id: 'logs.source', keys: ['o'], description: 'Choose the log source to follow', scope: 'logs', dangerous: false, hint: 'source' },
  { id: 'arm', keys: ['A'], description: 'Arm actions for some minutes with a reason (read-only mode), or disarm', scope: 'global', dangerous: false },
];

const IDS = new Set<string>(ACTION_COMMANDS.map((c) => c.id));

/** Whether `id` is one of the commands above (run by a view or the action controller, not the navigation reducer). */
export function isActionCommand(id: string): id is ActionCommandId {
  return IDS.has(id);
}
