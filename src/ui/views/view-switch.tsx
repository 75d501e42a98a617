// Picks the view component for the active view id.
import { memo } from 'react';
import { BackupsView } from '../backups/backups-view.js';
import type { ViewId } from '../keymap.js';
import { AuditView } from './audit-view.js';
import { ContainersView } from './containers-view.js';
import { EndpointsView } from './endpoints-view.js';
import { HostView } from './host-view.js';
import { LogsView } from './logs-view.js';
import { Overview } from './overview.js';
import { PostgresView } from './postgres-view.js';
import { RedisView } from './redis-view.js';
import { ServicesView } from './services-view.js';
import { TimelineView } from './timeline-view.js';
import type { ViewProps } from './view-props.js';

const VIEW_COMPONENTS: Record<ViewId, (props: ViewProps) => React.ReactNode> = {
  overview: Overview,
  host: HostView,
  containers: ContainersView,
  postgres: PostgresView,
  redis: RedisView,
  timeline: TimelineView,
  backups: BackupsView,
  services: ServicesView,
  logs: LogsView,
  audit: AuditView,
  endpoints: EndpointsView,
};

/** The active view. */
export const ViewSwitch = memo(function ViewSwitch({ view, ...props }: ViewProps & { view: ViewId }) {
  const View = VIEW_COMPONENTS[view];
  return <View {...props} />;
});
