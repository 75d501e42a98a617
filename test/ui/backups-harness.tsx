// Renders the whole console on the Backups view with a real Backups controller (real catalog,
// drills, restores against the shared PostgreSQL) and a real action controller (the shared plan
// dialog), and waits for content — long jobs get long deadlines, never fixed sleeps.
import { writeFileSync } from 'node:fs';
import { render } from 'ink-testing-library';
import { MemoryAudit } from '../helpers/memory-audit.js';
import { waitForText } from '../helpers/wait.js';
import { ActionGuard } from '../../src/plan/guard.js';
import type { OffsiteConfig, ServiceConfig } from '../../src/config/schema.js';
import { plansFromConfig } from '../../src/backup/from-config.js';
import { retentionPolicy } from '../../src/backup/retention.js';
import { appServices } from '../../src/restore/app-services.js';
import { ActionController } from '../../src/app/console/action-controller.js';
import { createConsoleActions } from '../../src/app/console-actions.js';
import { BackupsController } from '../../src/app/console/backups-controller.js';
import type { BackupsDeps } from '../../src/app/backups-deps.js';
import { tickingClock } from '../../src/ui/clock.js';
import { ConsoleRoot } from '../../src/ui/root.js';
import { fixedSize } from '../../src/ui/size.js';
import { createOpsStore } from '../../src/state/store.js';
import type { ExistingDir } from '../../src/backup/existing.js';
import type { PgTarget } from '../../src/backup/pg-tools.js';
import type { CommandId } from '../../src/ui/keymap.js';
import type { FileRestoreConfig } from '../../src/restore/files/source.js';
import { commandKey, keyBytes } from './keys.js';

export interface BackupsConsole {
  frame(): string;
  press(...keys: string[]): Promise<void>;
  /** Presses the first key the keymap binds to each command (in its first scope). */
  command(...ids: CommandId[]): Promise<void>;
  /** Types text as one chunk (fast typing over SSH). */
  type(text: string): Promise<void>;
  waitFor(test: string | RegExp | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  ctl: BackupsController;
  audit: MemoryAudit;
  close(): Promise<void>;
}

export interface ConsoleSetup {
  dir: string;
  conn: PgTarget;
  databases?: string[];
  services?: ServiceConfig[];
  readOnly?: boolean;
  /** Directories of another tool's backups (backups.existing). */
  existing?: ExistingDir[];
  /** opsdeck's facts about them (factsPath(stateDir)); without it they are listed only. */
  factsFile?: string;
  /** Off-host copies (backups.offsite) and rclone's environment for them. */
  offsite?: OffsiteConfig;
  env?: NodeJS.ProcessEnv;
  columns?: number;
  rows?: number;
  /** What a file-set restore reads (F). */
  files?: FileRestoreConfig;
}

/** An application service driven by argv commands: running while `marker` exists (it starts running). */
export function fakeAppService(name: string, marker: string): ServiceConfig {
  writeFileSync(marker, '');
  return {
    name,
    group: 'application',
    start: ['touch', marker],
    stop: ['rm', '-f', marker],
    status: ['test', '-e', marker],
    timeout: 30_000,
  } as ServiceConfig;
}

/** The console at 80×24 on the Backups view, wired to the real layers. */
export function renderBackups(s: ConsoleSetup): BackupsConsole {
  const audit = new MemoryAudit();
  const readOnly = s.readOnly ?? false;
  const guard = new ActionGuard({ readOnly, audit, timer: false });
  const services = s.services ?? [];
  const config = {
    backups: {
      dir: s.dir,
      format: 'plain' as const,
      databases: s.databases ?? [],
      files: [],
      retention: { preset: 'itsm' as const },
      verifyQueries: [],
    },
    postgres: { ...s.conn },
  };
  const deps: BackupsDeps = {
    dir: s.dir,
    ...(s.existing ? { existing: s.existing } : {}),
    ...(s.factsFile ? { factsFile: s.factsFile } : {}),
    ...(s.offsite ? { offsite: s.offsite } : {}),
    ...(s.env ? { env: s.env } : {}),
    conn: s.conn,
    verifyQueries: [],
    retention: retentionPolicy({ preset: 'itsm' }),
    guard,
    audit,
    backupPlans: async (onProgress) => plansFromConfig(config as never, { onProgress, skipPreflight: true }),
    services: () => appServices(services, undefined),
    ...(s.files ? { files: s.files } : {}),
  };
  const actions = new ActionController(
    createConsoleActions(
      {
        readOnly,
        auditPath: '/dev/null',
        docker: null,
        services,
        logs: { sources: [], bufferLines: 1000 },
        postgres: null,
        redis: null,
      } as never,
      { guard, audit },
    ),
  );
  // The console's one task flow runs the view's tasks, as in a real session.
  const ctl = new BackupsController(deps, actions.flow);
  const store = createOpsStore({ rules: {}, readOnly });
  const app = render(
    <ConsoleRoot
      store={store}
      size={fixedSize(s.columns ?? 80, s.rows ?? 24)}
      clock={tickingClock()}
      hostname="web-01"
      readOnly={readOnly}
      initialView="backups"
      actions={actions}
      backups={ctl}
      onQuit={() => undefined}
    />,
  );
  // eslint-disable-next-line no-control-regex -- painted lines carry SGR codes; tests read the text
  const frame = (): string => (app.lastFrame() ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      app.stdin.write(k);
      await settle();
    }
  };
  return {
    frame,
    press,
    command: (...ids) => press(...ids.map((id) => keyBytes(commandKey(id)))),
    type: async (text) => {
      app.stdin.write(text);
      await settle();
    },
    waitFor: (test, timeoutMs = 10_000) => waitForText(frame, test, { timeoutMs }),
    ctl,
    audit,
    close: async () => {
      app.unmount();
      ctl.dispose();
      await actions.dispose();
    },
  };
}
