// Cancelling or terminating one PostgreSQL session as a plan: pg_cancel_backend (the query stops,
// the connection stays) is offered first; pg_terminate_backend (the connection goes) also needs a
// yes. opsdeck's own connections (application_name = 'opsdeck') are never a target: the SQL
// itself excludes them, so even a stale pid that now belongs to us is refused by the server side.
import pg from 'pg';
import type { PgConnection } from '../config/resolve.js';
import { ActionError, errorText } from '../plan/errors.js';
import type { Plan, Step } from '../plan/plan.js';

export type PgSessionVerb = 'cancel' | 'terminate';

const FUNCTIONS: Record<PgSessionVerb, string> = {
  cancel: 'pg_cancel_backend',
  terminate: 'pg_terminate_backend',
};

/** The one statement a step runs; the pid is a bound parameter, never spliced into the text. */
export function sessionSql(verb: PgSessionVerb): string {
  return `SELECT ${FUNCTIONS[verb]}(pid) AS ok, application_name AS app FROM pg_stat_activity
   WHERE pid = $1 AND pid <> pg_backend_pid() AND application_name <> 'opsdeck'`;
}

/** Checks a pid typed by the operator; a one-line message says what is wrong. */
export function parsePid(text: string): number {
  if (!/^\d+$/.test(text.trim()))
    throw new ActionError('failed', `"${text}" is not a process id: give the pid of a session (a whole number)`);
  const pid = Number(text.trim());
  if (pid <= 0 || pid > 2 ** 31 - 1) throw new ActionError('failed', `${text} is not a valid PostgreSQL pid`);
  return pid;
}

function connect(conn: PgConnection): pg.Client {
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    database: conn.database,
    ...(conn.password !== undefined ? { password: conn.password } : {}),
    connectionTimeoutMillis: 5000,
    statement_timeout: 5000,
    application_name: 'opsdeck',
  });
  client.on('error', () => undefined);
  return client;
}

/** A plan that cancels the query of, or terminates, session `pid`; both need a yes. */
export function pgSessionPlan(conn: PgConnection, verb: PgSessionVerb, pid: number, label?: string): Plan {
  const fn = FUNCTIONS[verb];
  const act: Step = {
    id: verb,
    title: `${verb === 'cancel' ? 'cancel the query of' : 'terminate'} session ${pid}`,
    describe: () => ({ kind: 'sql', text: `SELECT ${fn}(${pid})` }),
    run: async () => {
      const client = connect(conn);
      try {
        await client.connect();
        const r = await client.query<{ ok: boolean | null; app: string | null }>(sessionSql(verb), [pid]);
        const row = r.rows[0];
        if (!row) {
          throw new ActionError(
            'not_found',
            `no session with pid ${pid} (it has ended, or it is opsdeck's own connection and is never a target)`,
          );
        }
        if (row.ok !== true) throw new ActionError('failed', `the server did not signal session ${pid} (${fn} false)`);
        return `${fn}(${pid}) sent${row.app ? ` to ${row.app}` : ''}`;
      } catch (err) {
        if (err instanceof ActionError) throw err;
        const e = err as { code?: string };
        if (e.code === '42501')
          throw new ActionError('refused', `not allowed to signal session ${pid}: ${errorText(err)}`);
        throw new ActionError('unreachable', `cannot ${verb} session ${pid}: ${errorText(err)}`);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
  return {
    action: `postgres.${verb}`,
    target: `pid ${pid}`,
    danger: 'confirm',
    steps: [act],
    blastRadius: async () => [
      label ? `session ${pid}: ${label}` : `session ${pid}`,
      verb === 'cancel'
        ? 'its running statement is cancelled (its transaction rolls back); the connection stays'
        : 'its connection is closed and its open transaction rolls back; the client must reconnect',
    ],
  };
}
