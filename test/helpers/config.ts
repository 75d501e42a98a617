// The message a config text is refused with, as the operator reads it (for tests of the schema's wording).
import { expect } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/load.js';

/** Parses `text` as the file `file` and returns the ConfigError's message; fails the test if it parses. */
export function configProblem(text: string, file = '/etc/opsdeck.yaml'): string {
  try {
    parseConfigText(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}
