// Finding, parsing and validating the configuration file. Errors name the file, the key path,
// the line (when the YAML parser knows it) and what was expected — never a stack trace.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type * as z from '../util/zod.js';
import { configSchema, type ParsedConfig } from './schema.js';

/** A configuration problem the operator can fix; `message` is ready to print. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConfigSource {
  /** The file that was read, or null when built-in defaults are used. */
  path: string | null;
  /** How it was found: the flag, the environment variable, the working directory, XDG or defaults. */
  via: '--config' | 'OPSDECK_CONFIG' | './opsdeck.yaml' | 'XDG_CONFIG_HOME' | 'defaults';
}

/**
 * Where the config comes from: --config, $OPSDECK_CONFIG, ./opsdeck.yaml,
 * $XDG_CONFIG_HOME/opsdeck/config.yaml, defaults.
 */
export function findConfig(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): ConfigSource {
  if (flag !== undefined) return { path: path.resolve(cwd, flag), via: '--config' };
  if (env.OPSDECK_CONFIG) return { path: path.resolve(cwd, env.OPSDECK_CONFIG), via: 'OPSDECK_CONFIG' };
  const local = path.join(cwd, 'opsdeck.yaml');
  if (existsSync(local)) return { path: local, via: './opsdeck.yaml' };
  const xdg = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  const xdgFile = path.join(xdg, 'opsdeck', 'config.yaml');
  if (existsSync(xdgFile)) return { path: xdgFile, via: 'XDG_CONFIG_HOME' };
  return { path: null, via: 'defaults' };
}

/** Reads and validates one config file (or the defaults when `file` is null). */
export function parseConfigFile(file: string | null): ParsedConfig {
  if (file === null) return validate({}, null, undefined, undefined);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : String(code ?? err);
    throw new ConfigError(
      `${file}: cannot read the config file (${why}). Check the path given by --config or $OPSDECK_CONFIG.`,
    );
  }
  return parseConfigText(text, file);
}

/** Parses YAML text as a config; `file` is used in messages. */
export function parseConfigText(text: string, file: string): ParsedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    const where = `:${pos.line}:${pos.col}`;
    throw new ConfigError(`${file}${where}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const got = Array.isArray(data) ? 'a list' : typeof data;
    throw new ConfigError(`${file}:1: expected a mapping of settings at the top level (e.g. "targets:"), got ${got}`);
  }
  return validate(data, file, doc, lineCounter);
}

function validate(
  data: unknown,
  file: string | null,
  doc: Document | undefined,
  lc: LineCounter | undefined,
): ParsedConfig {
  const result = configSchema.safeParse(data);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 5).map((issue) => describeIssue(issue, file ?? '<defaults>', doc, lc));
  const more = result.error.issues.length > 5 ? `\n(and ${result.error.issues.length - 5} more problems)` : '';
  throw new ConfigError(lines.join('\n') + more);
}

function describeIssue(
  issue: z.core.$ZodIssue,
  file: string,
  doc: Document | undefined,
  lc: LineCounter | undefined,
): string {
  const keyPath = issue.path.map(String);
  let where = '';
  if (doc && lc) {
    // Walk up the path until a node with a position is found (a missing key has none).
    for (let n = keyPath.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(keyPath.slice(0, n), true);
      if (isNode(node) && node.range) {
        where = `:${lc.linePos(node.range[0]).line}`;
        break;
      }
    }
  }
  const shown = keyPath.length > 0 ? keyPath.join('.') : '(top level)';
  return `${file}${where}: ${shown}: ${explain(issue)}`;
}

function explain(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const plural = issue.keys.length > 1 ? 's' : '';
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return `unknown key${plural} ${keys} (check the spelling against opsdeck.example.yaml)`;
    }
    case 'invalid_type': {
      const received = issue.message.includes('received') ? `, ${issue.message.replace(/^.*received/, 'got')}` : '';
      return `expected ${issue.expected}${received}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `${issue.message.replace(/^Too small: expected/, 'expected')}`;
    case 'too_big':
      return `${issue.message.replace(/^Too big: expected/, 'expected')}`;
    default:
      return issue.message;
  }
}

export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_STATE_HOME || path.join(env.HOME || homedir(), '.local', 'state'), 'opsdeck');
}
