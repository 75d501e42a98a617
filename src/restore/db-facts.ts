// What a restore must know about the server and the target database before it touches anything:
// who we are connected as, who owns the database, how it was created (encoding, collation,
// tablespace, connection limit), the GRANTs and settings on the database itself (a plain pg_dump
// does not carry them, so a drop would silently lose them), and who is connected right now.
import type pg from 'pg';
import { quoteIdent, quoteLiteral } from './sql.js';

export interface ServerFacts {
  version: string;
  versionNum: number;
  user: string;
  superuser: boolean;
  /** data_directory, readable by superusers only; for the scratch-space check of drills. */
  dataDirectory?: string;
}

export interface DbFacts {
  name: string;
  exists: boolean;
  owner?: string;
  encoding?: string;
  collate?: string;
  ctype?: string;
  /** ICU locale when the database uses the ICU provider (PostgreSQL 15+). */
  icuLocale?: string;
  tablespace?: string;
  /** datconnlimit: -1 = no limit. Restored after the restore, whatever it was. */
  connLimit: number;
  sizeBytes?: number;
  /** Statements that put the database's own GRANTs back after a recreate. */
  grants: string[];
  /** Statements that put `ALTER DATABASE … SET` (and per-role) settings back after a recreate. */
  settings: string[];
  /** Settings that could not be carried over safely (odd names), for a warning. */
  skippedSettings: string[];
}

/** Client connections to one database, grouped by application, address and user. */
export interface ConnectionGroup {
  app: string;
  addr: string;
  user: string;
  count: number;
}

/** Version, current role and whether it is a superuser. */
export async function serverFacts(c: pg.Client): Promise<ServerFacts> {
  const r = await c.query<{ v: string; n: string; u: string; su: boolean }>(
    `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n, current_user AS u,
            coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS su`,
  );
  const row = r.rows[0]!;
  const facts: ServerFacts = { version: row.v, versionNum: Number(row.n), user: row.u, superuser: row.su };
  if (row.su) {
    const d = await c.query<{ d: string }>(`SELECT current_setting('data_directory') AS d`);
    facts.dataDirectory = d.rows[0]!.d;
  }
  return facts;
}

// GUCs whose stored value is a list already in SQL syntax ("$user", public): passed as is, the
// way pg_dump does; quoting the whole thing would make it one odd element.
const LIST_GUCS = new Set(['search_path', 'temp_tablespaces', 'session_preload_libraries', 'local_preload_libraries']);
const SAFE_GUC = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** Everything about database `name` that a drop and recreate must preserve. */
export async function dbFacts(c: pg.Client, name: string): Promise<DbFacts> {
  const r = await c.query<{ d: Record<string, unknown>; owner: string; enc: string; spc: string; size: string }>(
    `SELECT to_jsonb(d) AS d, pg_get_userbyid(d.datdba) AS owner, pg_encoding_to_char(d.encoding) AS enc,
            t.spcname AS spc, pg_database_size(d.oid)::text AS size
       FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace
      WHERE d.datname = $1`,
    [name],
  );
  const row = r.rows[0];
  if (!row) return { name, exists: false, connLimit: -1, grants: [], settings: [], skippedSettings: [] };
  const d = row.d;
  const q = quoteIdent(name);
  const facts: DbFacts = {
    name,
    exists: true,
    owner: row.owner,
    encoding: row.enc,
    collate: String(d.datcollate),
    ctype: String(d.datctype),
    tablespace: row.spc,
    connLimit: Number(d.datconnlimit),
    sizeBytes: Number(row.size),
    grants: [],
    settings: [],
    skippedSettings: [],
  };
  if (d.datlocprovider === 'i' && typeof d.daticulocale === 'string') facts.icuLocale = d.daticulocale;

  if (d.datacl !== null && d.datacl !== undefined) {
    const acl = await c.query<{ priv: string; grantable: boolean; grantee: string }>(
      `SELECT a.privilege_type AS priv, a.is_grantable AS grantable,
              CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END AS grantee
         FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1 ORDER BY 3, 1`,
      [name],
    );
    // A non-default ACL is the whole list: clear the defaults of a fresh database, then grant exactly what was there.
    facts.grants.push(
      `REVOKE ALL ON DATABASE ${q} FROM PUBLIC`,
      `REVOKE ALL ON DATABASE ${q} FROM ${quoteIdent(row.owner)}`,
    );
    for (const a of acl.rows) {
      const who = a.grantee === '' ? 'PUBLIC' : quoteIdent(a.grantee);
      facts.grants.push(`GRANT ${a.priv} ON DATABASE ${q} TO ${who}${a.grantable ? ' WITH GRANT OPTION' : ''}`);
    }
  }

  const set = await c.query<{ role: string | null; kv: string }>(
    `SELECT r.rolname AS role, unnest(s.setconfig) AS kv
       FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole
      WHERE d.datname = $1 ORDER BY 1 NULLS FIRST, 2`,
    [name],
  );
  for (const { role, kv } of set.rows) {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    if (eq <= 0 || !SAFE_GUC.test(key)) {
      facts.skippedSettings.push(kv);
      continue;
    }
    const who = role ? `ROLE ${quoteIdent(role)} IN DATABASE ${q}` : `DATABASE ${q}`;
    facts.settings.push(`ALTER ${who} SET ${key} = ${LIST_GUCS.has(key.toLowerCase()) ? value : quoteLiteral(value)}`);
  }
  return facts;
}

/** Client connections to `name` other than our own, grouped, busiest first. */
export async function connectionsTo(c: pg.Client, name: string): Promise<ConnectionGroup[]> {
  const r = await c.query<{ app: string; addr: string; usename: string; n: string }>(
    `SELECT coalesce(nullif(application_name, ''), '?') AS app, coalesce(host(client_addr), 'local') AS addr,
            coalesce(usename, '?') AS usename, count(*)::text AS n
       FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()
      GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1`,
    [name],
  );
  return r.rows.map((row) => ({ app: row.app, addr: row.addr, user: row.usename, count: Number(row.n) }));
}

/** "3× billing-api (app@10.0.0.5)". */
export function groupLine(g: ConnectionGroup): string {
  return `${g.count}× ${g.app} (${g.user}@${g.addr})`;
}

/** Whether a role of that name exists. */
export async function roleExists(c: pg.Client, role: string): Promise<boolean> {
  const r = await c.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role]);
  return r.rowCount === 1;
}

/** The CREATE DATABASE that gives back the same database, empty and closed to clients (CONNECTION LIMIT 0). */
export function createDatabaseSql(name: string, owner: string, facts: DbFacts | undefined): string {
  const parts = [`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(owner)} TEMPLATE template0`];
  if (facts?.exists) {
    if (facts.encoding) parts.push(`ENCODING ${quoteLiteral(facts.encoding)}`);
    if (facts.collate) parts.push(`LC_COLLATE ${quoteLiteral(facts.collate)}`);
    if (facts.ctype) parts.push(`LC_CTYPE ${quoteLiteral(facts.ctype)}`);
    if (facts.icuLocale) parts.push(`LOCALE_PROVIDER icu ICU_LOCALE ${quoteLiteral(facts.icuLocale)}`);
    if (facts.tablespace && facts.tablespace !== 'pg_default') parts.push(`TABLESPACE ${quoteIdent(facts.tablespace)}`);
  }
  // Closed until verified: step 8 opens it again with the old limit.
  parts.push('CONNECTION LIMIT 0');
  return parts.join(' ');
}

/** The DROP DATABASE for `name`; WITH (FORCE) on 13+ so a superuser session that slipped in cannot block it. */
export function dropDatabaseSql(name: string, versionNum: number, ifExists = false): string {
  const force = versionNum >= 130000 ? ' WITH (FORCE)' : '';
  return `DROP DATABASE ${ifExists ? 'IF EXISTS ' : ''}${quoteIdent(name)}${force}`;
}
