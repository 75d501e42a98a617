// Text helpers that keep ICU out of the console. Node's ICU data lives in its binary: the first
// toLocaleString / localeCompare / toLocaleTimeString pulls collation, number or date formatting
// data into memory, measured here at about 12 MiB of RSS for a long-running console that needs
// none of it (operators read ASCII names and plain digits). Intl.Segmenter, which Ink's width
// measurement uses, is the one ICU service left.

/** Sort order for names: case-insensitive, then by code unit; no locale collation. */
export function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An integer with thousands separators, "12,345" (rounded; negative numbers keep their sign). */
export function groupDigits(n: number): string {
  const r = Math.round(n);
  if (!Number.isFinite(r)) return String(r);
  const s = String(Math.abs(r)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return r < 0 ? `-${s}` : s;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** HH:MM:SS in local time. */
export function clockTime(at: number): string {
  const d = new Date(at);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
