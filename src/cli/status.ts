// `opsdeck status`: read every target once, in parallel, judge each metric, print a table (or
// JSON) and exit with the worst level — 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the
// monitoring-plugin convention, so Nagios/Icinga/cron can use it as is).
//
// A one-shot has no history, so sustain windows are NOT applied: each value is judged against
// the limits alone ("is it over the line right now?"). The output says so. Waiting out a 5-minute
// window would make a health glance useless; the console applies sustain as documented.
//
// Targets that are neither configured nor discovered (origin not_configured, or disabled) are
// listed but never counted in the exit code. A configured target that fails is UNKNOWN for its
// metrics and CRITICAL for `<target>.reachable` when the error is unreachable, timeout or auth.
// Wall time is bounded by the probe timeout plus about a second, even when a target hangs.
//
// JSON shape (`--json`), one object on one line:
//   {
//     "host": string,                 // os.hostname()
//     "at": string,                   // ISO 8601 time the reads started
//     "worst": "OK" | "WARNING" | "CRITICAL" | "UNKNOWN",
//     "exitCode": 0 | 1 | 2 | 3,
//     "sustainApplied": false,        // one-shot: limits only, see above
//     "targets": [{ "id": string,
//                   "origin": "configured" | "environment" | "discovered" | "not_configured" | "disabled",
//                   "ok": boolean, "latencyMs": number | null,
//                   "error"?: { "kind": "not_configured" | "unreachable" | "auth" | "timeout" | "protocol",
//                               "message": string } }],
//     "checks":  [{ "target": string, "metric": string, "instance": string, "value": number | null, "unit": string,
//                   "warn": number, "crit": number, "direction": "above" | "below",
//                   "level": "OK" | "WARNING" | "CRITICAL" | "UNKNOWN", "since": string }]   // since: ISO 8601
//   }
import os from 'node:os';
import type { OpsdeckConfig, Rule } from '../config/resolve.js';
import { compareLevels, type Level } from '../engine/thresholds.js';
import { createProbes } from '../app/probes.js';
import { createOneShotStore } from '../app/stores.js';
import type { Probe, ProbeError } from '../probes/types.js';
import { boundedRead } from '../state/scheduler.js';
import { isJudged, selectExitCode, selectWorstLevel, type OpsData } from '../state/store.js';
import {
  clock,
  formatLimits,
  formatValue,
  levelLabel,
  paint,
  shouldColor,
  supportsUnicode,
  truncate,
} from '../present/format.js';
import { compareText } from '../util/text.js';

export interface StatusTarget {
  id: string;
  origin: string;
  ok: boolean;
  latencyMs: number | null;
  error?: ProbeError;
}

export interface StatusCheck {
  target: string;
  metric: string;
  instance: string;
  value: number | null;
  unit: string;
  warn: number;
  crit: number;
  direction: 'above' | 'below';
  level: Level;
  since: string;
}

export interface StatusReport {
  host: string;
  at: string;
  worst: Level;
  exitCode: number;
  sustainApplied: false;
  targets: StatusTarget[];
  checks: StatusCheck[];
}

export interface StatusOptions {
  config: OpsdeckConfig;
  json: boolean;
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  /** Probes to read instead of createProbes(config) (tests). */
  probes?: Probe[];
  hostname?: string;
  now?: () => number;
}

/** Extra time past the probe timeout for a probe that ignores its abort, and for closing. */
const GRACE_MS = 400;
const CLOSE_MS = 400;
const TARGET_ORDER = ['host', 'docker', 'postgres', 'redis', 'http', 'certificates'];

/** Reads every target once, prints the table or JSON, and resolves to the exit code (0/1/2/3). */
export async function runStatus(opts: StatusOptions): Promise<number> {
  const report = await collectStatus(opts);
  const env = opts.env ?? process.env;
  opts.stdout.write(
    opts.json
      ? `${JSON.stringify(report)}\n`
      : renderTable(report, opts.config.rules, {
          color: shouldColor(opts.stdout, env),
          ascii: !supportsUnicode(env),
          now: Date.parse(report.at),
        }),
  );
  return report.exitCode;
}

/** Reads every probe once in parallel (bounded by the timeout) and judges the results with sustain ignored. */
export async function collectStatus(
  opts: Pick<StatusOptions, 'config' | 'probes' | 'hostname' | 'now'>,
): Promise<StatusReport> {
  const { config } = opts;
  const now = opts.now ?? Date.now;
  const started = now();
  // One-shot: no history, so each value is judged on the limits alone.
  const store = createOneShotStore(config);
  const probes = opts.probes ?? createProbes(config, { oneShot: true });
  try {
    const reads = probes.map((probe) => boundedRead(probe, { timeout: config.probeTimeout, grace: GRACE_MS, now }));
    const results = await Promise.all(reads.map((r) => r.result));
    results.forEach((result, i) => store.getState().applyResult(probes[i]!.id, result, now()));
  } finally {
    await closeAll(probes);
  }
  const s = store.getState();
  const worst = selectWorstLevel(s);
  return {
    host: opts.hostname ?? os.hostname(),
    at: new Date(started).toISOString(),
    worst,
    exitCode: selectExitCode(s),
    sustainApplied: false,
    targets: statusTargets(s),
    checks: statusChecks(s),
  };
}

/** Closes every probe, waiting at most CLOSE_MS so a wedged socket cannot hold the command up. */
async function closeAll(probes: Probe[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_MS);
    timer.unref();
  });
  await Promise.race([Promise.allSettled(probes.map((p) => p.close())), cap]);
  clearTimeout(timer);
}

const order = (id: string) => {
  const i = TARGET_ORDER.indexOf(id);
  return i < 0 ? TARGET_ORDER.length : i;
};

function statusTargets(s: OpsData): StatusTarget[] {
  return Object.values(s.targets)
    .sort((a, b) => order(a.id) - order(b.id) || compareText(a.id, b.id))
    .map((t): StatusTarget => {
      if (t.latest) {
        return {
          id: t.id,
          origin: t.origin,
          ok: t.latest.ok,
          latencyMs: t.latest.latencyMs,
          ...(t.latest.error ? { error: t.latest.error } : {}),
        };
      }
      const message = t.origin === 'disabled' ? 'disabled in the config' : 'not configured and not found on this host';
      return { id: t.id, origin: t.origin, ok: false, latencyMs: null, error: { kind: 'not_configured', message } };
    });
}

function statusChecks(s: OpsData): StatusCheck[] {
  const ruleOrder = Object.keys(s.rules);
  return Object.values(s.alerts)
    .filter((a) => isJudged(s, a.target))
    .sort(
      (a, b) =>
        order(a.target) - order(b.target) ||
        ruleOrder.indexOf(a.metric) - ruleOrder.indexOf(b.metric) ||
        compareText(a.instance, b.instance),
    )
    .map((a) => {
      const r = s.rules[a.metric]!;
      return {
        target: a.target,
        metric: a.metric,
        instance: a.instance,
        value: a.value,
        unit: a.unit,
        warn: r.warn,
        crit: r.crit,
        direction: r.direction,
        level: a.level,
        since: new Date(a.since).toISOString(),
      };
    });
}

/** The human table: targets first (with their errors), then one row per check. No ANSI unless `color`. */
export function renderTable(
  report: StatusReport,
  rules: Record<string, Rule>,
  o: { color: boolean; ascii: boolean; now: number },
): string {
  const lines: string[] = [];
  const label = (level: Level) => paint(level, levelLabel(level, o.ascii), o.color);
  const at = clock(Date.parse(report.at), o.now);
  lines.push(`opsdeck status  ${report.host}  ${at}  worst: ${label(report.worst)} (exit ${report.exitCode})`);
  lines.push('');
  const targetRows = report.targets.map((t) => [
    t.id,
    t.origin.replace('_', ' '),
    t.ok
      ? `ok ${Math.round(t.latencyMs ?? 0)}ms`
      : t.error?.kind === 'not_configured'
        ? 'not watched'
        : `${t.error?.kind ?? 'error'}`,
    t.ok || t.error?.kind === 'not_configured' ? '' : truncate(t.error?.message ?? '', 60),
  ]);
  lines.push(...columns([['TARGET', 'ORIGIN', 'READ', 'DETAIL'], ...targetRows]));
  lines.push('');

  const sorted = [...report.checks].sort((a, b) => compareLevels(a.level, b.level));
  // Problems first: at 3 a.m. the red rows must not scroll off an 80×24 screen.
  const rows = sorted.map((c) => {
    const rule = rules[c.metric];
    // "host.cpu" under host → "cpu"; a metric of another family keeps its name ("tls.daysLeft" under http).
    const short = c.metric.startsWith(`${c.target}.`) ? c.metric.slice(c.target.length + 1) : c.metric;
    const name = short + (c.instance ? ` ${c.instance}` : '');
    return {
      level: c.level,
      cells: [
        c.target,
        truncate(name, 28),
        formatValue(c.metric, c.value, c.unit),
        rule ? formatLimits(rule, c.unit, o.ascii) : '',
        levelLabel(c.level, o.ascii),
        c.level === 'OK' ? '' : clock(Date.parse(c.since), o.now),
      ],
    };
  });
  const table = columns([['TARGET', 'METRIC', 'VALUE', 'LIMITS', 'LEVEL', 'SINCE'], ...rows.map((r) => r.cells)]);
  lines.push(table[0]!);
  rows.forEach((r, i) => lines.push(paint(r.level, table[i + 1]!, o.color && r.level !== 'OK')));
  if (rows.length === 0) lines.push('(no checks: nothing is configured)');
  lines.push('');
  lines.push('One-shot: limits only, sustain windows not applied (a single read has no history).');
  return `${lines.join('\n')}\n`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}
