// The overview: four panels in a 2×2 grid (Host, Docker, PostgreSQL, Redis) above the alerts
// strip. Panels grow with the terminal up to a useful height; the strip takes the rest.
import { Box } from 'ink';
import { memo } from 'react';
import { useOps } from '../store-context.js';
import { AlertsStrip } from './alerts-strip.js';
import { EndpointsPanel, useEndpointsPanelRows } from './endpoints-view.js';
import { DockerPanel, HostPanel } from './host-panel.js';
import { PostgresPanel, RedisPanel } from './service-panels.js';
import { useNavReport, type ViewProps } from './view-props.js';

/**
 * Heights of one panel row and of the alerts strip for a body of `height` lines: the strip gets
 * a line per recent change (3 at least, a third of the body at most), the panels the rest.
 */
export function overviewLayout(height: number, changes: number): { panel: number; strip: number } {
  const want = Math.max(4, Math.min(changes + 1, Math.floor(height / 3)));
  // Panels keep 5 lines of content (8 with border and title) before the strip grows.
  const panel = Math.max(5, Math.min(8, Math.floor((height - 4) / 2)), Math.floor((height - want) / 2));
  return { panel, strip: Math.max(2, height - panel * 2) };
}

/** The overview view. */
export const Overview = memo(function Overview({ width, height, focus, report }: ViewProps) {
  useNavReport(report, 'overview', 0, 4, 1);
  const changes = useOps((s) => Math.min(s.transitions.length, 100));
  // Endpoints and certificates, when watched: a full-width panel of one line each below the grid.
  const endpointRows = useEndpointsPanelRows();
  const endpointsH = endpointRows > 0 ? Math.min(endpointRows + 3, Math.max(4, Math.floor(height / 3))) : 0;
  const { panel, strip } = overviewLayout(height - endpointsH, changes);
  const left = Math.floor(width / 2);
  const right = width - left;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box height={panel}>
        <HostPanel width={left} height={panel} focused={focus === 0} />
        <DockerPanel width={right} height={panel} focused={focus === 1} />
      </Box>
      <Box height={panel}>
        <PostgresPanel width={left} height={panel} focused={focus === 2} />
        <RedisPanel width={right} height={panel} focused={focus === 3} />
      </Box>
      {endpointsH > 0 ? <EndpointsPanel width={width} height={endpointsH} focused={false} /> : null}
      <AlertsStrip width={width} height={strip} />
    </Box>
  );
});
