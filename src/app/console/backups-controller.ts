// The Backups view's controller: reads the catalog (dropping overlapping reads) and starts the
// view's tasks — re-verify, drill, the restore walkthrough, take a backup, prune — in the
// console's one task flow, through its one guard and audit trail. It writes only plain data into
// the Backups store. No React here. The jobs (pg, pg_dump, psql) load on the first task, so a
// console that never opens one never loads them.
import { errorText } from '../../plan/errors.js';
import { scanCatalog, type CatalogEntry } from '../../backup/catalog.js';
import { drillSummaries } from '../../backup/drill-log.js';
import type { BackupsDeps } from '../backups-deps.js';
import { createBackupsStore, type BackupsStore } from './backups-store.js';
import { TaskFlow } from './task-flow.js';

/** Drives the Backups view: catalog reads and its tasks in the flow. */
export class BackupsController {
  readonly store: BackupsStore;
  readonly flow: TaskFlow;
  private reading: Promise<void> | null = null;

  /**
   * `flow` is the console's one task flow; without one (tests of the view alone) it makes its own
   * over the same guard and audit trail.
   */
  constructor(
    readonly deps: BackupsDeps,
    flow?: TaskFlow,
  ) {
    this.store = createBackupsStore(deps.dir);
    this.flow = flow ?? new TaskFlow({ guard: deps.guard, audit: deps.audit });
  }

  /** Reads the catalog and the drill log; a read already under way is joined, not repeated. */
  refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = null));
    return this.reading;
  }

  private async read(): Promise<void> {
    try {
      // Another tool's directories are listed (read only); the prune plan scans without them.
      const catalog = await scanCatalog(this.deps.dir, undefined, {
        existing: this.deps.existing ?? [],
        ...(this.deps.factsFile ? { facts: this.deps.factsFile } : {}),
      });
      if (this.deps.offsite) {
        const { addOffsiteCopies } = await import('../../backup/offsite.js');
        await addOffsiteCopies(catalog, this.deps.offsite);
      }
      // An unreadable drill log must not hide the backups: the column says "never" and a problem line says why.
      const drills = await drillSummaries(this.deps.dir).catch((err: unknown) => {
        catalog.problems.push(`drill log unreadable: ${errorText(err)}`);
        return new Map();
      });
      this.store.setState({
        catalog: {
          root: catalog.root,
          entries: catalog.entries,
          partials: catalog.partials,
          problems: catalog.problems,
          drills: Object.fromEntries(drills),
          loadedAt: Date.now(),
          error: null,
        },
      });
    } catch (err) {
      // Keep the last good table on screen and say why it is old.
      this.store.setState((s) => ({ catalog: { ...s.catalog, error: errorText(err) } }));
    }
  }

  /** Reads now and every `everyMs` until the returned function is called (the view is showing). */
  watch(everyMs = 15_000): () => void {
    void this.refresh();
    const timer = setInterval(() => void this.refresh(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private readonly reread = (): void => void this.refresh();

  /** Re-verifies a backup. */
  verify(e: CatalogEntry): void {
    // Another tool's backup: checked as it is, the result kept in opsdeck's state directory.
    const facts = e.origin === 'existing' ? this.deps.factsFile : undefined;
    if (e.origin === 'existing' && !facts) return void this.refuseExisting(e);
    if (e.offsite?.remoteOnly) {
      this.say(
        `${e.file} is only on ${this.deps.offsite?.remote ?? 'the remote'}: drill or restore fetch and check it`,
      );
      return;
    }
    this.flow.start({
      title: 'Re-verify',
      detail: { kind: 'verify', file: e.path, run: null, report: null },
      background: 'keep',
      phase: 'running',
      run: async (h) =>
        (await import('./backup-jobs.js')).verifyJob(h, e.path, facts ? { entry: e, factsFile: facts } : undefined),
      onFinished: this.reread,
      onClosed: this.reread,
    });
  }

  /** Drills a backup into a scratch database. */
  drill(e: CatalogEntry): void {
    if (this.refuseExisting(e)) return;
    this.flow.start({
      title: 'Drill',
      detail: { kind: 'drill', file: e.path, snap: null },
      background: 'keep',
      phase: 'running',
      run: async (h) => {
        const file = await this.localFile(e, h.signal);
        if (file instanceof Error) return file.message;
        return (await import('./backup-jobs.js')).drillJob(h, this.deps, file);
      },
      onFinished: this.reread,
      onClosed: this.reread,
    });
  }

  /** Opens the restore walkthrough for a backup, into the database it was taken from. */
  restore(e: CatalogEntry): void {
    if (this.refuseExisting(e)) return;
    const database = e.source.name;
    const detail = {
      kind: 'restore' as const,
      file: e.path,
      database,
      stage: 'preflight' as const,
      checks: [],
      snap: null,
      startedAt: Date.now(),
    };
    if (e.source.type !== 'postgres') {
      const check = {
        id: 'kind' as const,
        title: 'backup kind',
        status: 'fail' as const,
        detail: `${e.file} is a file-set archive; the walkthrough restores PostgreSQL databases`,
      };
      this.flow.start({
        title: 'Restore',
        detail: { ...detail, stage: 'refused', checks: [check] },
        background: 'cancel',
        phase: 'running',
        run: async () => undefined,
        onClosed: this.reread,
      });
      return;
    }
    // Esc during the preflight cancels it; once the walk begins the restore stays on screen.
    this.flow.start({
      title: 'Restore',
      detail,
      background: 'cancel',
      phase: 'running',
      run: async (h) => {
        const file = await this.localFile(e, h.signal);
        if (file instanceof Error)
          return h.update((d) => ({
            ...d,
            stage: 'refused',
            checks: [{ id: 'backup', title: 'off-host copy', status: 'fail', detail: file.message }],
          }));
        return (await import('./restore-job.js')).restoreJob(h, this.deps, file, database);
      },
      onFinished: this.reread,
      onClosed: this.reread,
    });
  }

  /**
   * Restores the files of a file-set backup (opsdeck's own or another tool's tar / env file): the
   * preflight, then the plan with its blast radius, the target path typed, the run and its summary.
   */
  restoreFiles(e: CatalogEntry): void {
    if (e.kind !== 'files') {
      this.say(`${e.file} is a database backup: R restores it (F restores file-set backups)`);
      return;
    }
    this.flow.propose(
      'Restore files',
      async () => (await import('./file-restore-plan.js')).fileRestorePlan(this.deps, e.path),
      { onFinished: this.reread },
    );
  }

  /** Takes a backup of every configured source (a plan: its steps, a yes, progress). */
  backup(): void {
    this.flow.propose('Take a backup now', async () => (await import('./backup-plans.js')).backupNowPlan(this.deps), {
      onFinished: this.reread,
    });
  }

  /** Prunes by the retention policy (the dry-run list first, then a yes). */
  prune(): void {
    this.flow.propose('Prune backups', async () => (await import('./backup-plans.js')).pruneNowPlan(this.deps), {
      onFinished: this.reread,
    });
  }

  /**
   * The local file of `e`: its path, or for a backup left only on the remote (the DR path) the copy
   * fetched into opsdeck's own directory after its sha256 matched the recorded one; an Error says why not.
   */
  private async localFile(e: CatalogEntry, signal: AbortSignal): Promise<string | Error> {
    if (!e.offsite?.remoteOnly || !this.deps.offsite) return e.path;
    const { fetchOffsite } = await import('../../backup/offsite.js');
    this.say(`fetching ${e.file} from ${this.deps.offsite.remote} …`);
    try {
      const file = await fetchOffsite({
        root: this.deps.dir,
        cfg: this.deps.offsite,
        file: e.path,
        signal,
        ...(this.deps.env ? { env: this.deps.env } : {}),
      });
      this.say(`fetched ${e.file}: sha256 matches the one recorded at backup time`);
      return file;
    } catch (err) {
      this.say(null);
      return new Error(errorText(err));
    }
  }

  /**
   * Another tool's database dumps are drilled and restored like opsdeck's own (verified from their own stream, the
   * facts in opsdeck's state directory). Its file-set archives are only listed for now (restoring file sets comes
   * with the file-set restore), and without a state directory nothing can be learned: they say so instead of starting.
   */
  private refuseExisting(e: CatalogEntry): boolean {
    if (e.origin !== 'existing') return false;
    if (e.source.type === 'postgres' && this.deps.factsFile) return false;
    this.say(`${e.file} was written by another tool: listed only (verify, drill and restore of it come later)`);
    return true;
  }

  /** Shows a one-line message under the table (null clears it). */
  say(text: string | null): void {
    this.store.setState({ notice: text });
  }

  /** Cancels whatever runs and answers any open question with no (the console is closing). */
  dispose(): void {
    this.flow.dispose();
  }
}
