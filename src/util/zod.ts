// zod for opsdeck: `zod/mini` (the functional API of the same package) with English messages.
// mini has the same parser and the same English locale as classic `zod`, but does not install a
// locale by itself (every issue would read "Invalid input"), so this module does it once, before
// any schema can parse. Use `import * as z from '../util/zod.js'`, never 'zod' or 'zod/mini'
// directly: a namespace import that is only ever dotted into lets esbuild drop what is unused.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
