// The Backups view's controller: reads the catalog (dropping overlapping reads), runs one task at a
// time against the real layers, and answers the task's questions from key presses. It writes
// only plain data into the Backups store; it holds what is not data (abort controllers, the
// resolver of the question on screen). No React here. The jobs (pg, pg_dump, psql) load on the
// first task, so a console that never opens one never loads them.
import { isConfirmed } from '../../plan/confirm.js';
import { errorText } from '../../plan/errors.js';
import { scanCatalog, type CatalogEntry } from '../../backup/catalog.js';
import { drillSummaries } from '../../backup/drill-log.js';
import { createBackupsStore, taskRunning, type BackupsStore, type DrillTask, type RestoreTask, type Task, type VerifyTask } from './backups-store.js';
import type { BackupsDeps } from '../../app/backups-deps.js';
import type { TaskHost } from './task-host.js';

interface Handle {
  seq: number;
  abort: AbortController;
  answer: ((text: string | null) => void) | null;
}

type Fresh<T extends Task> = Omit<T, 'seq' | 'scroll' | 'hidden' | 'note' | 'error'>;

/** Drives the Backups view: catalog reads and the one task panel. */
export class BackupsController {
  readonly store: BackupsStore;
  private seq = 0;
  private handle: Handle | null = null;
  private reading: Promise<void> | null = null;
  private disposed = false;

  constructor(readonly deps: BackupsDeps) {
    this.store = createBackupsStore(deps.dir);
  }

  /** Reads the catalog and the drill log; a read already under way is joined, not repeated. */
  refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = null));
    return this.reading;
  }

  private async read(): Promise<void> {
    try {
      const catalog = await scanCatalog(this.deps.dir);
      // An unreadable drill log must not hide the backups: the column says "never" and a problem line says why.
      const drills = await drillSummaries(this.deps.dir).catch((err: unknown) => {
        catalog.problems.push(`drill log unreadable: ${errorText(err)}`);
        return new Map();
      });
      this.store.setState({ catalog: { root: catalog.root, entries: catalog.entries, partials: catalog.partials, problems: catalog.problems, drills: Object.fromEntries(drills), loadedAt: Date.now(), error: null } });
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

  /** Re-verifies a backup. */
  verify(e: CatalogEntry): void {
    this.start<VerifyTask>({ kind: 'verify', file: e.path, run: null, report: null, done: false }, async (h) => (await import('./jobs.js')).verifyJob(h, e.path));
  }

  /** Drills a backup into a scratch database. */
  drill(e: CatalogEntry): void {
    this.start<DrillTask>({ kind: 'drill', file: e.path, snap: null }, async (h) => (await import('./jobs.js')).drillJob(h, e.path));
  }

  /** Opens the restore walkthrough for a backup, into the database it was taken from. */
  restore(e: CatalogEntry): void {
    const database = e.source.name;
    const base = { kind: 'restore' as const, file: e.path, database, stage: 'preflight' as const, checks: [], snap: null, typed: '', startedAt: Date.now() };
    if (e.source.type !== 'postgres') {
      const check = { id: 'kind' as const, title: 'backup kind', status: 'fail' as const, detail: `${e.file} is a file-set archive; the walkthrough restores PostgreSQL databases` };
      return this.start<RestoreTask>({ ...base, stage: 'refused', checks: [check] }, async () => undefined);
    }
    this.start<RestoreTask>(base, async (h) => (await import('../restore/restore-job.js')).restoreJob(h, e.path, database));
  }

  private start<T extends Task>(fresh: Fresh<T>, job: (host: TaskHost<T>) => Promise<void>): void {
    const cur = this.store.getState().task;
    // One task at a time: a key while one is hidden brings it back instead.
    if (cur && (cur.hidden || taskRunning(cur))) return this.patch(cur.seq, (t) => ({ ...t, hidden: false }));
    const seq = ++this.seq;
    const handle: Handle = { seq, abort: new AbortController(), answer: null };
    this.handle = handle;
    this.store.setState({ task: { ...fresh, seq, scroll: 0, hidden: false, note: null, error: null } as T });
    const host: TaskHost<T> = {
      deps: this.deps,
      signal: handle.abort.signal,
      update: (fn) => this.patch(seq, (t) => fn(t as T)),
      ask: () =>
        new Promise((resolve) => {
          if (this.disposed || this.handle !== handle) return resolve(null);
          handle.answer = (text) => {
            handle.answer = null;
            resolve(text);
          };
        }),
      close: () => {
        if (this.store.getState().task?.seq === seq) this.store.setState({ task: null });
      },
      refresh: () => this.refresh(),
    };
    // Jobs report failures as data; this is for a bug past them (or a module that failed to load).
    job(host).catch((err: unknown) => this.patch(seq, (t) => ({ ...t, hidden: false, error: `stopped unexpectedly: ${errorText(err)}` })));
  }

  private patch(seq: number, fn: (t: Task) => Task): void {
    const t = this.store.getState().task;
    if (t && t.seq === seq) this.store.setState({ task: fn(t) });
  }

  private note(text: string | null): void {
    const t = this.store.getState().task;
    if (t) this.patch(t.seq, (x) => ({ ...x, note: text }));
  }

  /** Shows a one-line message under the table (null clears it). */
  say(text: string | null): void {
    this.store.setState({ notice: text });
  }

  /** Answers yes to the question on screen. */
  yes(): void {
    this.handle?.answer?.('yes');
  }

  /** Answers no (or Esc) to the question on screen. */
  no(): void {
    this.handle?.answer?.(null);
  }

  /** Adds typed text to the confirmation being typed. */
  type(text: string): void {
    const t = this.store.getState().task;
    if (t?.kind === 'restore') this.patch(t.seq, (x) => ({ ...x, typed: ((x as typeof t).typed + text).slice(0, 80), note: null }));
  }

  /** Deletes the last typed character. */
  erase(): void {
    const t = this.store.getState().task;
    if (t?.kind === 'restore') this.patch(t.seq, (x) => ({ ...x, typed: (x as typeof t).typed.slice(0, -1) }));
  }

  /** Submits the typed name; a name that does not match stays on screen to be corrected. */
  submit(): void {
    const t = this.store.getState().task;
    const q = t?.kind === 'restore' ? t.snap?.pending : undefined;
    if (!t || t.kind !== 'restore' || !q) return;
    if (!isConfirmed(q, t.typed)) return this.note(`"${t.typed}" is not the name: type ${q.kind === 'type' ? q.expect : 'y'} exactly, or Esc to abort`);
    this.handle?.answer?.(t.typed);
  }

  /** Cancels the running task at its next safe point; closes a finished one. */
  cancel(): void {
    const t = this.store.getState().task;
    if (!t) return;
    if (!taskRunning(t)) return this.close();
    this.handle?.abort.abort(new Error('cancelled by the operator'));
    this.note('Cancelling at the next safe point…');
  }

  /** Closes a finished panel; a running re-verify or drill goes on hidden; a running restore stays. */
  close(): void {
    const t = this.store.getState().task;
    if (!t) return;
    if (!taskRunning(t)) {
      this.store.setState({ task: null });
      void this.refresh();
    } else if (t.kind === 'restore' && t.stage === 'preflight') this.cancel();
    else if (t.kind === 'restore') this.note('The restore is running: x cancels it at its next safe point (the database state is said at the end).');
    else this.patch(t.seq, (x) => ({ ...x, hidden: true }));
  }

  /** Scrolls the panel by `delta` lines within 0…max. */
  scroll(delta: number, max: number): void {
    const t = this.store.getState().task;
    if (t) this.patch(t.seq, (x) => ({ ...x, scroll: Math.max(0, Math.min(max, x.scroll + delta)) }));
  }

  /** Cancels whatever runs and answers any open question with no (the console is closing). */
  dispose(): void {
    this.disposed = true;
    this.handle?.abort.abort(new Error('the console is closing'));
    this.handle?.answer?.(null);
  }
}
