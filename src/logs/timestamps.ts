// When a log line was written, from the formats logs use at (or near) the start of a line:
// ISO 8601 (`2026-12-04T19:55:01.123Z`, `2026-12-04 19:55:01,123`), syslog (`Dec  4 19:55:01`,
// no year: the latest such time not after now + 1 day) and nginx/common log (`[04/Dec/2026:19:55:01 +0100]`).
// Times without a zone are local time. Only the first 80 characters are looked at.

/** English month abbreviations (syslog, common log) → month index. */
export const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const ISO = /(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?/;
const SYSLOG = /^(?:<\d+>)?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)/;
const CLF =
  /\[(\d\d)\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/(\d{4}):(\d\d):(\d\d):(\d\d)(?: ([+-])(\d\d)(\d\d))?\]/;

function zoneMs(z: string | undefined): number | undefined {
  if (z === undefined) return undefined;
  if (z === 'Z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

/** The time (ms since the epoch) a line says it was written, or undefined when it says none. */
export function lineTime(line: string, now: number = Date.now()): number | undefined {
  const head = line.length > 80 ? line.slice(0, 80) : line;
  let m = SYSLOG.exec(head);
  if (m) {
    const mon = MONTHS[m[1]!]!;
    let year = new Date(now).getFullYear();
    let t = new Date(year, mon, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).getTime();
    if (t > now + 86_400_000)
      t = new Date(--year, mon, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).getTime();
    return t;
  }
  m = ISO.exec(head);
  if (m) {
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const zone = zoneMs(m[8]);
    if (zone === undefined) return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
    return Date.UTC(y, mo - 1, d, h, mi, s, ms) - zone;
  }
  m = CLF.exec(head);
  if (m) {
    const [d, y, h, mi, s] = [m[1], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
    const mon = MONTHS[m[2]!]!;
    if (m[7] === undefined) return new Date(y, mon, d, h, mi, s).getTime();
    const off = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
    return Date.UTC(y, mon, d, h, mi, s) - off;
  }
  return undefined;
}

/** A duration such as `30m`, `2h`, `1d`, `90s` or `1h30m` in ms; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  const t = text.trim();
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total > 0 ? total : undefined;
}
