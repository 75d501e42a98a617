// The certificates probe (targets.certificates): PEM files such as /etc/letsencrypt/live/*/cert.pem
// read with Node's X509Certificate; `tls.daysLeft` per certificate (instance = the name, and for a
// glob the matched parts: "le/example.org"), subject and issuer for the view. A file that cannot be
// read or is not a certificate is a problem line and an UNKNOWN sample, never a crash.
import { X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CertificateTargetConfig } from '../config/schema.js';
import { runBounded } from './boundary.js';
import { daysLeft } from './http.js';
import type { MetricSample, Probe, ProbeResult } from './types.js';

export interface CertificateState {
  /** The configured name. */
  name: string;
  /** The metric instance: the name, plus the matched parts of a glob. */
  instance: string;
  file: string;
  subject: string | null;
  issuer: string | null;
  /** ms since epoch. */
  validTo: number | null;
  daysLeft: number | null;
  /** Why there is no certificate: unreadable, not PEM, no file matches. */
  error: string | null;
}

export interface CertificatesReading {
  certificates: CertificateState[];
  problems: string[];
}

const GLOB = /[*?[]/;

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${seg
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The files an absolute pattern matches (* ? [..] within path segments), sorted, with the matched glob parts. */
export async function expandGlob(pattern: string): Promise<{ file: string; parts: string[] }[]> {
  if (!GLOB.test(pattern)) return [{ file: pattern, parts: [] }];
  const segs = pattern.split('/').filter((s) => s !== '');
  let found: { file: string; parts: string[] }[] = [{ file: '/', parts: [] }];
  for (const seg of segs) {
    const next: { file: string; parts: string[] }[] = [];
    if (!GLOB.test(seg)) {
      for (const f of found) next.push({ file: path.join(f.file, seg), parts: f.parts });
    } else {
      const re = segmentRegex(seg);
      for (const f of found) {
        const names = await readdir(f.file).catch(() => [] as string[]);
        for (const n of names.sort())
          if (re.test(n) && !(n.startsWith('.') && !seg.startsWith('.')))
            next.push({ file: path.join(f.file, n), parts: [...f.parts, n] });
      }
    }
    found = next;
  }
  return found;
}

/** "CN=a\nO=b" → "CN=a, O=b". */
const oneLine = (dn: string): string =>
  dn
    .split('\n')
    .filter((l) => l !== '')
    .join(', ');

/** Reads one PEM certificate file (the first certificate of a chain). */
export async function readCertificate(
  name: string,
  instance: string,
  file: string,
  now: number,
): Promise<CertificateState> {
  const base = { name, instance, file, subject: null, issuer: null, validTo: null, daysLeft: null };
  let pem: Buffer;
  try {
    pem = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied (opsdeck needs read access)'
          : (err as Error).message;
    return { ...base, error: why };
  }
  try {
    const c = new X509Certificate(pem);
    const validTo = Date.parse(c.validTo);
    return {
      ...base,
      subject: oneLine(c.subject),
      issuer: oneLine(c.issuer),
      validTo,
      daysLeft: daysLeft(validTo, now),
      error: null,
    };
  } catch {
    return { ...base, error: 'not a PEM certificate (expected "-----BEGIN CERTIFICATE-----")' };
  }
}

/** The 'certificates' probe over targets.certificates, read every `interval` ms. */
export function createCertificatesProbe(
  list: CertificateTargetConfig[],
  interval: number,
  timeoutMs: number,
  opts: { now?: () => number } = {},
): Probe<CertificatesReading> {
  const now = opts.now ?? Date.now;
  return {
    id: 'certificates',
    interval,
    read(signal): Promise<ProbeResult<CertificatesReading>> {
      return runBounded(signal, { timeoutMs, context: { what: 'certificate files' } }, async () => {
        const t = now();
        const groups = await Promise.all(
          list.map(async (c): Promise<CertificateState[]> => {
            const files = await expandGlob(c.file);
            if (files.length === 0)
              return [
                {
                  name: c.name,
                  instance: c.name,
                  file: c.file,
                  subject: null,
                  issuer: null,
                  validTo: null,
                  daysLeft: null,
                  error: 'no file matches',
                },
              ];
            return Promise.all(
              files.map((f) =>
                readCertificate(c.name, f.parts.length ? `${c.name}/${f.parts.join('/')}` : c.name, f.file, t),
              ),
            );
          }),
        );
        const certificates = groups.flat();
        const metrics: MetricSample[] = certificates.map((c) => ({
          metric: 'tls.daysLeft',
          instance: c.instance,
          value: c.daysLeft,
          unit: 'd',
        }));
        const problems = certificates.flatMap((c) => (c.error ? [`${c.name}: ${c.file}: ${c.error}`] : []));
        return { reading: { certificates, problems }, metrics };
      });
    },
    close: () => Promise.resolve(),
  };
}
